! Speculative operations and tags: a speculative load from an unmapped address gives
! a tagged diagnostic value instead of a fault; speculative operations propagate it;
! gettag reads tags, movt keeps them, puttag sets them.
    start
    {
        ldd,0,sm %r0, 0, %r1           ! %r0 = 0 (fresh window): address 0
        addd,1 0, 7, %r6
    }
    {
        gettagd,2 %r1, %r2
        addd,0,sm %r1, 1, %r3          ! tagged in, tagged out, no fault
    }
    check %r2, 5, 1
    {
        gettagd,2 %r3, %r4
        movtd,0 %r1, %r5
    }
    check %r4, 5, 2
    {
        gettagd,5 %r5, %r9
        puttagd,2 %r6, 0, %r7
    }
    check %r9, 5, 3
    check %r7, 7, 4
    {
        puttagd,2 %r6, 5, %r8
    }
    {
        gettagd,2 %r8, %r10
    }
    check %r10, 5, 5
    {
        ldd,0,sm %r6, 0, %r11          ! address 7: unmapped too
        addd,1 0, buf, %r12
    }
    {
        ldd,0,sm %r12, 0, %r13         ! a good speculative load is an ordinary one
    }
    check %r13, 0x1234, 6
    print msg, 8
    exit 0

    .data
buf:
    .quad 0x1234
msg:
    .ascii "spec ok\n"
