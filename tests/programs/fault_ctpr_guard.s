! exit: 132
! stderr: SIGILL
! Rule C1: an ALU write to %ctpr under an RLP condition is an illegal opcode, even
! when the predicate is an ordinary true value and the operation is speculative.
    start
    {
        cmpedb,0 0, 0, %pred0          ! true
        addd,1 0, target, %r1
    }
    {
        movtd,0,sm %r1, %ctpr1 ? %pred0
    }
    exit 0
target:
    exit 1
