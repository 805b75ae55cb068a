! Tagged predicates: a %pred holds false, true or D (diagnostic). A speculative compare
! of a D operand writes D; evaluators (pass %pred, @p) copy all three states and
! negation keeps D; andp, landp and movep combine them by their tables; the predicate
! file keeps its tags across a call; a speculative operation under a D predicate runs
! and gives D; a D predicate read by the PLU, or behind a false %pcntN, or written and
! never used, does not fault.
    start

! exit(code) unless the predicate is D: a speculative operation under it gives D.
.macro checkd pred, code
    {
        addd,0 0, 0, %r20
    }
    {
        addd,0,sm 0, 1, %r20 ? \pred
    }
    {
        gettagd,2 %r20, %r21
    }
    check %r21, 5, \code
.endm

! exit(code) unless the predicate is false (not D)
.macro checkf pred, code
    {
        sdisp %ctpr1, 0x3
    }
    {
        addd,0 0, 1, %r24
        addd,1 0, \code, %r25
    }
    {
        call %ctpr1, wbs = 0xc ? \pred
    }
.endm

    {
        ldd,0,sm 0, 0, %r1                 ! a speculative load from address 0: D
    }
    {
        cmpedb,0,sm %r1, 0, %pred1         ! P1: a speculative compare of D gives D
        cmpedb,1 0, 0, %pred2              ! true
        cmpedb,3 0, 1, %pred3              ! false
    }
    checkd %pred1, 1
    checkp %pred2, 2
    checkf %pred3, 3
    {
        addd,0,sm 0, 1, %r22 ? %pred1      ! T1: runs as if true, its result poisoned
        addd,1,sm 0, 1, %r23 ? ~%pred1     ! ~D is D too
    }
    {
        puttagd,2 %r22, 0, %r22
        puttagd,5 %r23, 0, %r23
    }
    check %r22, 0x4000000040000001, 4
    check %r23, 0x4000000040000001, 5
    {
        cmpedb,0,sm 0, 0, %pred4 ? %pred1  ! a compare under D gives D
        cmpedb,1,sm 0, 0, %pred5           ! a plain speculative compare: true
    }
    checkd %pred4, 6
    checkp %pred5, 7

    ! Evaluators copy D; negation keeps it; andp: D if either side is D.
    {
        pass %pred1, @p0
        pass %pred3, @p1
        andp @p0, ~@p1, @p4                ! D and true
        pass @p4, %pred10
        pass %pred2, @p2
        pass %pred2, @p3
        andp @p2, @p3, @p5                 ! true and true
        pass @p5, %pred11
    }
    checkd %pred10, 10
    checkp %pred11, 11
    {
        pass %pred1, @p0
        pass %pred3, @p1
        andp ~@p0, ~@p1, @p4               ! ~D and true
        pass @p4, %pred12
        pass %pred3, @p2
        pass %pred1, @p3
        andp @p2, @p3, @p5                 ! false and D: D
        pass @p5, %pred13
    }
    checkd %pred12, 12
    checkd %pred13, 13
    {
        pass %pred2, @p0
        pass %pred3, @p1
        andp @p0, @p1, @p4                 ! true and false
        pass @p4, %pred14
    }
    checkf %pred14, 14

    ! landp: false first (not D) gives false whatever the second; else as andp.
    {
        pass %pred3, @p0
        pass %pred1, @p1
        landp @p0, @p1, @p4                ! false, D: false
        pass @p4, %pred15
        pass %pred1, @p2
        pass %pred3, @p3
        landp @p2, @p3, @p5                ! D, false: D
        pass @p5, %pred16
    }
    checkf %pred15, 15
    checkd %pred16, 16
    {
        pass %pred2, @p0
        pass %pred1, @p1
        landp @p0, @p1, @p4                ! true, D: D
        pass @p4, %pred17
        pass %pred2, @p2
        pass %pred1, @p3
        landp ~@p2, @p3, @p5               ! ~true, D: false
        pass @p5, %pred18
    }
    checkd %pred17, 17
    checkf %pred18, 18
    {
        pass %pred2, @p0
        pass %pred2, @p1
        landp @p0, ~@p1, @p4               ! true, false: false
        pass @p4, %pred19
        landp @p0, @p1, @p5                ! true, true: true
        pass @p5, %pred20
    }
    checkf %pred19, 19
    checkp %pred20, 20

    ! movep c, s: c D gives D; c true gives s (D included); c false leaves %pred.
    {
        cmpedb,0 0, 0, %pred21             ! true
        cmpedb,1 0, 1, %pred22             ! false
        cmpedb,3,sm %r1, 0, %pred23        ! D
        cmpedb,4 0, 0, %pred24             ! true
    }
    {
        pass %pred1, @p0
        pass %pred3, @p1
        movep @p0, @p1, @p4                ! D, false: D
        pass @p4, %pred21
        pass %pred2, @p2
        pass %pred1, @p3
        movep @p2, @p3, @p5                ! true, D: D
        pass @p5, %pred22
    }
    checkd %pred21, 21
    checkd %pred22, 22
    {
        pass %pred3, @p0
        pass %pred2, @p1
        movep @p0, @p1, @p4                ! false: %pred23 stays D
        pass @p4, %pred23
        pass %pred2, @p2
        movep ~@p2, @p2, @p5               ! false: %pred24 stays true
        pass @p5, %pred24
    }
    checkd %pred23, 23
    checkp %pred24, 24
    {
        pass %pred2, @p0
        pass %pred3, @p1
        movep @p0, @p1, @p4                ! true, false: false
        pass @p4, %pred23
    }
    checkf %pred23, 25

    ! Chains: combiner 1 reads combiner 0, combiner 2 reads both; three deep is
    ! allowed when only the last writes back.
    {
        pass %pred2, @p0
        pass %pred2, @p1
        andp @p0, @p1, @p4                 ! true
        pass %pred3, @p2
        andp @p4, ~@p2, @p5                ! true
        andp @p5, @p4, @p6                 ! true
        pass @p6, %pred25
    }
    checkp %pred25, 26
    {
        pass %pred2, @p0
        andp @p0, @p0, @p4                 ! true
        pass @p4, %pred26
        pass %pred3, @p2
        landp @p2, @p2, @p5                ! false
        andp @p4, @p5, @p6                 ! true and false
        pass @p6, %pred27
    }
    checkp %pred26, 27
    checkf %pred27, 28

    ! The predicate file, tags included, comes back on return.
    {
        disp %ctpr1, callee
    }
    {
        call %ctpr1, wbs = 0x8
    }
    checkd %pred1, 30
    checkp %pred2, 31
    checkf %pred3, 32

    ! In the loop prologue (LSR.pcnt != 0) a false %pcntN skips the operation without
    ! looking at the predicate, and a transfer does not check its predicate's tag.
    {
        rwd,0 0x5000000000000, %lsr        ! pcnt = 5
        disp %ctpr2, after
    }
    {
        addd,0 0, 5, %r5 ? %pcnt2, %pred1  ! skipped: pcnt > 2
    }
    {
        ct %ctpr2 ? %pred1                 ! either way to `after`
    }
after:
    {
        rwd,0 0, %lsr
        addd,1 0, 7, %r6
    }
    check %r6, 7, 33

    ! A D predicate that nothing uses as a condition has no effect.
    {
        cmpedb,0,sm %r1, 0, %pred31
    }
    print msg, 13
    exit 0

callee:
    {
        setwd wsz = 0x8, nfx = 1
        cmpedb,0 0, 1, %pred1              ! the callee's predicates are its own
        cmpedb,1 0, 1, %pred2
        cmpedb,3 0, 0, %pred3
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .data
msg:
    .ascii "pred_tags ok\n"
