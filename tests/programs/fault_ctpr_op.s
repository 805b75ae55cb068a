! exit: 132
! stderr: SIGILL
! Rule C2: only movtd, movtcd, movtrd, movtrcd and getpl may write a 64-bit result
! into %ctpr; addd into %ctpr1 is an illegal opcode.
    start
    {
        addd,1 0, target, %r1
    }
    {
        addd,0 %r1, 0, %ctpr1
    }
    exit 0
target:
    exit 1
