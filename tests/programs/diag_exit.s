! exit: 3
! System-call arguments are the raw register values, tags ignored (exactness S7): a
! speculative 3 + D zero is 0x4000000040000003, and exit with it exits with status 3.
    start
    {
        puttagd,2 %r0, 5, %r1
    }
    {
        sdisp %ctpr1, 0x3
    }
    {
        addd,0 0, 1, %r24
        addd,1,sm %r1, 3, %r25
    }
    {
        call %ctpr1, wbs = 0xc
    }
