! A loop whose exit is met before a register it writes: compiled code keeps the loop
! inside one translation, and the exit (to an instruction left to the interpreter)
! must store the register written on the loop's other side, which it reaches only
! after going round.
    start
    {
        addd,0 0, 0, %r1
        addd,1 0, 0, %r2
    }
    {
        rrd,0 %idr, %r6                ! not compiled: the loop starts a translation
    }
loop:
    {
        addd,0 %r1, 1, %r1
    }
    {
        cmpbdb,0 %r1, 1000, %pred0
    }
    {
        ibranch body ? %pred0
    }
    {
        rrd,0 %idr, %r5                ! not compiled: the translation leaves here
    }
    check %r1, 1000, 1
    check %r2, 2997, 2                 ! 999 rounds of the body
    print msg, 13
    exit 0
body:
    {
        addd,0 %r2, 3, %r2
    }
    {
        ibranch loop
    }

    .data
msg:
    .ascii "loop_exit ok\n"
