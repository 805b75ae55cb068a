! SIGILL for the whole wide instruction: a predicate-logic combiner reading a result
! that does not exist yet, or chained three deep with two write-backs; a D
! (diagnostic) predicate as the condition of a non-speculative operation or store, of
! a non-speculative merge, of a transfer (ct, ibranch, call), or of a speculative
! state-register or %ctpr write. Each faulting instruction also stores to `cell`; the
! SIGILL handler checks that nothing was stored, counts the case and resumes at the
! address in `resume`.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start

! the handler resumes at `next`
.macro expect next
    {
        addd,0 0, \next, %r5
        addd,1 0, resume, %r6
    }
    {
        std,2 %r6, 0, %r5
    }
.endm

! exit(code) unless the handler ran `n` times
.macro count n, code
    {
        addd,0 0, count, %r7
    }
    {
        ldd,0 %r7, 0, %r8
    }
    check %r8, \n, \code
.endm

    sys 174, 4, act_ill, 0, 8          ! rt_sigaction(SIGILL)
    check %r24, 0, 1
    {
        addd,0 0, cell, %r9
        addd,1 0, 1, %r10
        cmpedb,3 0, 0, %pred2              ! true
    }

    ! Combiner 0 may read only @p0 and @p1.
    expect c1
    {
        std,2 %r9, 0, %r10
        pass %pred2, @p0
        pass %pred2, @p2
        andp @p0, @p2, @p4
        pass @p4, %pred5
    }
c1:
    count 1, 2
    ! Combiner 1 may not read its own result.
    expect c2
    {
        std,2 %r9, 0, %r10
        pass %pred2, @p2
        andp @p2, @p5, @p5
        pass @p5, %pred5
    }
c2:
    count 2, 3
    ! Combiner 2 reads combiner 1 which reads combiner 0, and 1 and 2 write back.
    expect c3
    {
        std,2 %r9, 0, %r10
        pass %pred2, @p0
        pass %pred2, @p1
        andp @p0, @p1, @p4
        pass %pred2, @p2
        andp @p4, @p2, @p5
        pass @p5, %pred5
        andp @p5, @p0, @p6
        pass @p6, %pred6
    }
c3:
    count 3, 4

    {
        ldd,0,sm 0, 0, %r1                 ! D
    }
    {
        cmpedb,0,sm %r1, 0, %pred1         ! a D predicate
        disp %ctpr2, c7
    }
    ! A non-speculative operation under D, even in a later channel than the store.
    expect c4
    {
        std,2 %r9, 0, %r10
        addd,3 0, 1, %r11 ? %pred1
    }
c4:
    count 4, 5
    ! A store under D.
    expect c5
    {
        std,5 %r9, 0, %r10 ? ~%pred1
    }
c5:
    count 5, 6
    ! A non-speculative merge on D.
    expect c6
    {
        merged,0 %r10, %r10, %r12, %pred1
        std,2 %r9, 0, %r10
    }
c6:
    count 6, 7
    ! Transfers on D.
    expect c7
    {
        std,2 %r9, 0, %r10
        ct %ctpr2 ? %pred1
    }
c7:
    count 7, 8
    {
        disp %ctpr2, c8
    }
    expect c8
    {
        std,2 %r9, 0, %r10
        ct %ctpr2 ? %pred1 || %LOOP_END
    }
c8:
    count 8, 9
    expect c9
    {
        std,2 %r9, 0, %r10
        ibranch c9 ? ~%pred1
    }
c9:
    count 9, 10
    {
        sdisp %ctpr1, 0x3
    }
    expect c10
    {
        addd,0 0, 1, %r24
        addd,1 0, 77, %r25
    }
    {
        std,2 %r9, 0, %r10
        call %ctpr1, wbs = 0xc ? %pred1
    }
c10:
    count 10, 11
    ! State-register and %ctpr writes check the guard's tag even when speculative.
    expect c11
    {
        rwd,0,sm 0, %lsr ? %pred1
        std,2 %r9, 0, %r10
    }
c11:
    count 11, 12
    expect c12
    {
        movtd,0,sm %r10, %ctpr2 ? %pred1
        std,2 %r9, 0, %r10
    }
c12:
    count 12, 13
    print msg, 14
    exit 0

! SIGILL: nothing was stored; count; resume at `resume`.
ill:
    {
        setwd wsz = 0x10, nfx = 1
        addd,0 0, cell, %r3
    }
    {
        addd,0 0, resume, %r4
        addd,1 0, count, %r7
    }
    check %r0, 4, 40
    {
        ldd,0 %r3, 0, %r5
        ldd,2 %r4, 0, %r6
        ldd,3 %r7, 0, %r8
    }
    check %r5, 0, 41
    {
        addd,0 %r8, 1, %r8
        std,2 %r2, 48, %r6                 ! uc_mcontext.cr0_hi
    }
    {
        std,2 %r7, 0, %r8
    }
    {
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .data
act_ill:
    .quad ill, 4, 0, 0                 ! SA_SIGINFO
msg:
    .ascii "pred_fault ok\n"
    .bss
cell:
    .skip 8
resume:
    .skip 8
count:
    .skip 8
