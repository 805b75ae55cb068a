! Float slow paths in compiled code: with inexact raised (so that float code is
! "easy"), a loop multiplying a denormal takes the slow path every time; compiled
! code leaves for the interpreter there until it has done so often enough, then
! calls the helper; the sum must be exact either way.
    start
    {
        addd,0 0, 0x3ff0000000000000, %r1     ! 1.0
        addd,1 0, 0x4008000000000000, %r2     ! 3.0
    }
    {
        addd,2 0, 0x000fffffffffffff, %r3     ! a denormal
    }
    {
        fdivd,5 %r1, %r2, %r4                ! inexact: %pfpfr easy from here
    }
    sys 20
    {
        addd,0 0, 200, %r5
        addd,1 0, 0, %r6
    }
loop:
    {
        fmuld,0 %r3, %r1, %r7               ! denormal: the slow path
        subd,1 %r5, 1, %r5
    }
    {
        addd,0 %r6, %r7, %r6
        cmpedb,1 %r5, 0, %pred1
    }
    {
        ibranch loop ? ~%pred1
    }
    {
        addd,0 0, 0x000fffffffffffff, %r8
    }
    {
        muld,0 %r8, 200, %r8
    }
    check %r6, %r8, 1
    exit 0
