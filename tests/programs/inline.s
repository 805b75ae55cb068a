! Calls in hot loops, which the JIT follows into the callee inside the caller's
! translation: the result back through the window overlap, the callee's window
! grown by setwd and its stack frame (getsp) given back on return, the caller's
! predicates restored, a conditional return, calls nested deeper than inlining
! goes, a system call inside a callee (compiled code left in the middle of it),
! and a callee called from two places of one loop.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    {
        addd,4 0, 0, %r1               ! i
        addd,1 0, 0, %r2               ! the sum
        cmpedb,3 0, 0, %pred5          ! %pred5 = 1, must survive the calls
        getsp,0 0, %r10                ! the stack pointer before
    }
loop:
    {
        disp %ctpr1, leaf
        addd,0 %r1, 0, %r24            ! the callee's %r0
        addd,1 0, 0x77, %r7            ! below the callee's window: untouched
    }
    {
        call %ctpr1, wbs = 0xc
    }
    {
        addd,0 %r2, %r24, %r2
        addd,1 %r1, 1, %r1
        disp %ctpr2, loop
    }
    {
        cmpbdb,0 %r1, 1000, %pred0
    }
    {
        ct %ctpr2 ? %pred0
    }
    check %r2, 1003000, 1              ! sum of 3i (i odd) and i + 7 (i even)
    check %r7, 0x77, 2
    checkp %pred5, 3
    {
        getsp,0 0, %r11
    }
    check %r11, %r10, 4                ! every callee's frame given back

    ! Six procedures deep, each adding one: inlining stops on the way.
    {
        addd,0 0, 0, %r1
        addd,1 0, 0, %r2
    }
deep_loop:
    {
        disp %ctpr1, d1
        addd,0 %r1, 0, %r24
    }
    {
        call %ctpr1, wbs = 0xc
    }
    {
        addd,0 %r2, %r24, %r2
        addd,1 %r1, 1, %r1
        disp %ctpr2, deep_loop
    }
    {
        cmpbdb,0 %r1, 200, %pred0
    }
    {
        ct %ctpr2 ? %pred0
    }
    check %r2, 20900, 5                ! sum of i + 5 for i < 200

    ! One callee from two call sites of a loop, and one that makes a system call.
    {
        addd,0 0, 0, %r1
        addd,1 0, 0, %r2
    }
twice_loop:
    {
        disp %ctpr1, twice
        addd,0 %r1, 0, %r8
    }
    {
        call %ctpr1, wbs = 4
    }
    {
        disp %ctpr1, twice
        addd,0 %r2, %r8, %r2
    }
    {
        call %ctpr1, wbs = 4
    }
    {
        addd,0 %r2, %r8, %r2
        addd,1 %r1, 1, %r1
        disp %ctpr2, twice_loop
    }
    {
        cmpbdb,0 %r1, 50, %pred0
    }
    {
        ct %ctpr2 ? %pred0
    }
    check %r2, 7350, 6                 ! 2i (i < 50) then 4i
    {
        addd,0 0, 0, %r1
    }
say_loop:
    {
        disp %ctpr1, say
    }
    {
        call %ctpr1, wbs = 4
    }
    {
        addd,1 %r1, 1, %r1
        disp %ctpr2, say_loop
    }
    {
        cmpbdb,0 %r1, 5, %pred0
    }
    {
        ct %ctpr2 ? %pred0
    }
    check %r8, 1, 7                    ! what write returned, through the window
    checkp %pred5, 8
    print msg, 11
    exit 0

! leaf(x) = 3x for odd x, else x + 7; with a stack frame and a window grown to 16.
leaf:
    {
        setwd wsz = 0x8, nfx = 1
        getsp,0 0xffffffe0, %r5        ! 32 bytes of stack
        andd,1 %r0, 1, %r9
        cmpedb,3 0, 1, %pred5          ! the callee's predicates are its own
    }
    {
        std,2 %r5, 8, %r0
        cmpedb,0 %r9, 1, %pred1
        return %ctpr3
    }
    {
        ldd,0 %r5, 8, %r12
    }
    {
        muld,0 %r12, 3, %r0
    }
    {
        ct %ctpr3 ? %pred1
    }
    {
        addd,0 %r12, 7, %r0
    }
    {
        ct %ctpr3
    }

! d1(x) = d2(x) + 1, ..., d5(x) = d6(x) + 1, d6(x) = x
.macro plus_one name, callee
\name:
    {
        setwd wsz = 0x4, nfx = 1
        disp %ctpr1, \callee
        addd,0 %r0, 0, %r4
    }
    {
        call %ctpr1, wbs = 2
    }
    {
        addd,0 %r4, 1, %r0
        return %ctpr3
    }
    {
        ct %ctpr3
    }
.endm
    plus_one d1, d2
    plus_one d2, d3
    plus_one d3, d4
    plus_one d4, d5
    plus_one d5, d6
d6:
    {
        return %ctpr3
    }
    {
        ct %ctpr3
    }

! twice(x) = 2x
twice:
    {
        return %ctpr3
        addd,0 %r0, %r0, %r0
    }
    {
        ct %ctpr3
    }

! say(): writes a dot; the result of write in %r0.
say:
    {
        setwd wsz = 0x10, nfx = 1
    }
    print dot, 1
    {
        addd,0 %r24, 0, %r0
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .data
msg:
    .ascii "\ninline ok\n"
dot:
    .ascii "."
