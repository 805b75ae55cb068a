! Rule L1: the stores of a loop-mode instruction are suppressed in the prologue
! (LSR.pcnt != 0) and after the loop's end unless LSR.strmd lets them run, taking one
! from strmd per instruction. The worked example: pcnt 5, lcnt 8, ecnt 6 runs 14
! iterations and stores in exactly 8 of them (the 6th to the 13th). Iteration k
! stores k - 1 to a[k - 1] (the values from before the instruction).
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    {
        rwd,0 0x0005002600000008, %lsr ! pcnt 5, vlc, ecnt 6, lcnt 8
        disp %ctpr2, loop1
        addd,1 0, a, %r2
        addd,3 0, 0, %r1
    }
loop1:
    {
        loop_mode
        addd,0 %r1, 1, %r1
        addd,1 %r2, 8, %r2
        std,2 %r2, 0, %r1
        alc alcf = 1, alct = 1
        ct %ctpr2 ? %NOT_LOOP_END
    }
    check %r1, 14, 1                   ! 14 iterations
    {
        addd,0 0, a, %r3
    }
    {
        ldd,0 %r3, 32, %r4             ! a[4]: 5th iteration, prologue
        ldd,3 %r3, 40, %r5             ! a[5]: 6th
    }
    check %r4, -1, 2
    check %r5, 5, 3
    {
        ldd,0 %r3, 96, %r4             ! a[12]: 13th
        ldd,3 %r3, 104, %r5            ! a[13]: 14th, loop_end with strmd 0
    }
    check %r4, 12, 4
    check %r5, -1, 5
    {
        ldd,0 %r3, 0, %r4              ! a[0]: 1st
    }
    check %r4, -1, 6

    ! strmd 2 lets the stores of the last iteration run: two stores, one decrement.
    {
        rwd,0 0x0045002600000008, %lsr ! strmd 2 and the same loop
        disp %ctpr2, loop2
        addd,1 0, b, %r2
        addd,3 0, 0, %r1
    }
loop2:
    {
        loop_mode
        addd,0 %r1, 1, %r1
        addd,1 %r2, 8, %r2
        std,2 %r2, 0, %r1
        std,5 %r2, 128, %r1
        alc alcf = 1, alct = 1
        ct %ctpr2 ? %NOT_LOOP_END
    }
    {
        addd,1 0, b, %r3
        rrd,0 %lsr, %r6
    }
    {
        ldd,0 %r3, 104, %r4            ! b[13]: the 14th iteration stored
        ldd,3 %r3, 232, %r5            ! and its second store too
        shrd,1 %r6, 53, %r6
    }
    check %r4, 13, 7
    check %r5, 13, 8
    {
        andd,0 %r6, 0x7f, %r6
    }
    check %r6, 1, 9                    ! strmd 2 - 1
    {
        ldd,0 %r3, 32, %r4             ! b[4]: still the prologue
    }
    check %r4, -1, 10

    ! Without the loop-mode bit, pcnt does not suppress stores.
    {
        rwd,0 0x0005002600000008, %lsr
        addd,1 0, a, %r2
    }
    {
        std,2 %r2, 0, %r2
    }
    {
        ldd,0 %r2, 0, %r4
    }
    check %r4, a, 11
    print msg, 15
    exit 0
    .data
msg:
    .ascii "loop stores ok\n"
a:
    .quad -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1
b:
    .quad -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1
    .quad -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1
