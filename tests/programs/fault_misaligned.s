! exit: 132
! stderr: SIGILL
! Rule D3: execution reaching an address not aligned to 8 bytes (here through ct) dies
! with SIGILL, the illegal-opcode reading of the exactness document.
    start
    {
        addd,0 0, target, %r1
    }
    {
        addd,0 %r1, 4, %r1
    }
    {
        movtd,0 %r1, %ctpr1
    }
    {
        ct %ctpr1
    }
    exit 0
target:
    exit 1
    exit 2
