! Loops counted by %lsr (alc, %LOOP_END), rotating registers (setbn/abn), rotating
! predicates (setbp/abp) and predicate logic (PLS).
    start
    {
        rwd,0 0x200000000a, %lsr       ! vlc, lcnt = 10
        disp %ctpr2, loop
        addd,1 0, 0, %r1
        addd,2 0, 0, %r2
    }
loop:
    {
        addd,0 %r1, 1, %r1
        addd,1 %r2, %r1, %r2           ! reads %r1 from before the instruction
        alc alcf = 0, alct = 1
        ct %ctpr2 ? %NOT_LOOP_END
    }
    check %r1, 10, 1
    check %r2, 45, 2
    {
        rrd,0 %lsr, %r3
    }
    check %r3, 0x2000000001, 3

    ! Based registers: %b[i] = %r(8 + (2 * rcur + i) mod 8).
    {
        setbn rbs = 0x4, rsz = 0x3, rcur = 0x0
    }
    {
        addd,0 0, 1, %b[0]
    }
    {
        abn abnf = 1, abnt = 0
    }
    check %r8, 1, 4
    check %b[2], 1, 5
    {
        addd,0 0, 2, %b[0]
    }
    check %r14, 2, 6
    {
        addd,0 0, 3, %b[1]             ! in the same instruction as a rotation:
        abn abnf = 1, abnt = 0         ! names resolve before it
    }
    check %r15, 3, 7
    check %b[3], 3, 8

    ! Rotating predicates: %pred i = physical (pcur + i) mod (psz + 1).
    {
        setbp psz = 0x3
    }
    {
        cmpedb,0 0, 0, %pred0          ! true
        cmpedb,1 0, 1, %pred1          ! false
    }
    {
        abp abpf = 1, abpt = 0
    }
    checkp %pred1, 9                   ! the old %pred0
    {
        cmpedb,0 0, 0, %pred20
        cmpedb,1 0, 1, %pred21
    }
    {
        pass %pred20, @p0
        pass %pred21, @p1
        landp @p0, ~@p1, @p4           ! true and not false
        pass @p4, %pred22
    }
    checkp %pred22, 10
    {
        pass %pred20, @p0
        pass %pred21, @p1
        andp ~@p0, @p1, @p4            ! false
        pass @p4, %pred23
    }
    {
        ct %ctpr1 ? %pred23            ! must not be taken (and %ctpr1 is empty)
    }
    print msg, 9
    exit 0

    .data
msg:
    .ascii "loops ok\n"
