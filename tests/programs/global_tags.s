! Global registers keep tags as the others do: compiled code that uses a tagged
! global leaves it to the interpreter (checked on entry and after each call), and a
! value it writes there is untagged.
    start
    {
        addd,0 0, 7, %r2
        addd,1 0, 3, %r3
    }
    {
        puttagd,2 %r2, 5, %dg16            ! %g16: D seven
    }
    {
        gettagd,2 %dg16, %r21
    }
    {
        addd,0,sm %dg16, 1, %r4            ! computed from a D value: D
    }
    {
        addd,0 %r3, 0, %dg16               ! overwritten untagged
    }
    {
        addd,0 %dg16, 1, %r5
    }
    {
        gettagd,2 %r4, %r22
        disp %ctpr1, tagger
    }
    {
        gettagd,2 %dg16, %r23
    }
    {
        call %ctpr1, wbs = 0xc
    }
    {
        addd,0,sm %dg17, 0, %r6            ! tagged by the callee
    }
    {
        gettagd,2 %dg17, %r24
    }
    {
        gettagd,2 %r6, %r25
        addd,0 %r21, 0, %r10
        addd,1 %r22, 0, %r11
        addd,3 %r23, 0, %r12
    }
    {
        addd,0 %r24, 0, %r13
        addd,1 %r25, 0, %r14
    }
    check %r10, 5, 1
    check %r11, 5, 2
    check %r12, 0, 3
    check %r5, 4, 4
    check %r13, 5, 5
    check %r14, 5, 6
    print msg, 7
    exit 0

! Leaves a D value in %g17.
tagger:
    {
        setwd wsz = 0x4, nfx = 1
        addd,0 0, 9, %r0
    }
    {
        puttagd,2 %r0, 5, %dg17
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .data
msg:
    .ascii "tagged\n"
