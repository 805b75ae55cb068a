! Recursive quicksort (Lomuto partition) of 100000 pseudo-random 64-bit numbers:
! call/return and window heavy. Exits with the low byte of the median, or 99 if the
! result is not sorted.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    .text
    .global _start
_start:
    {
        setwd wsz = 0x10, nfx = 1
    }
    {
        addd,0 0, array, %g16
        addd,1 0, 0, %r2
    }
    {
        addd,1 0, 12345, %r3
        rwd,0 0x20000186a0, %lsr       ! 100000 numbers
    }
    {
        disp %ctpr1, fill
    }
fill:
    {
        muld,0 %r3, 0x5851f42d4c957f2d, %r4
    }
    {
        addd,0 %r4, 0x14057b7ef767814f, %r3
    }
    {
        std,2 %g16, %r2, %r3
        addd,0 %r2, 8, %r2
        alc alcf = 0, alct = 1
        ct %ctpr1 ? %NOT_LOOP_END
    }
    {
        disp %ctpr1, qsort
        addd,0 0, 0, %r24
        addd,1 0, 99999, %r25
    }
    {
        call %ctpr1, wbs = 0xc
    }
    {
        addd,0 0, 0, %r2               ! check order
        addd,1 0, 1, %r5
    }
check:
    {
        shld,0 %r2, 3, %r6
        shld,1 %r5, 3, %r7
    }
    {
        ldd,0 %g16, %r6, %r8
        ldd,2 %g16, %r7, %r9
    }
    {
        cmpbdb,0 %r9, %r8, %pred0      ! out of order
        cmpbdb,1 %r5, 99999, %pred1
        addd,3 %r2, 1, %r2
        addd,4 %r5, 1, %r5
    }
    {
        ibranch unsorted ? %pred0
    }
    {
        ibranch check ? %pred1
    }
    {
        ldd,0 %g16, 400000, %r10       ! a[50000]
        sdisp %ctpr1, 0x3
    }
    {
        addd,0 0, 1, %r24
        andd,1 %r10, 0xff, %r25
        call %ctpr1, wbs = 0xc
    }
unsorted:
    {
        sdisp %ctpr1, 0x3
        addd,0 0, 1, %r24
        addd,1 0, 99, %r25
    }
    {
        call %ctpr1, wbs = 0xc
    }

! qsort(%r0 = lo, %r1 = hi), indices into the array at %g16.
qsort:
    {
        setwd wsz = 0x8, nfx = 1
        cmpldb,0 %r0, %r1, %pred0
        disp %ctpr1, qsort
    }
    {
        return %ctpr3
    }
    {
        ct %ctpr3 ? ~%pred0
    }
    {
        shld,0 %r1, 3, %r2
    }
    {
        ldd,0 %g16, %r2, %r3           ! pivot = a[hi]
        addd,1 %r0, 0, %r4             ! i
        addd,2 %r0, 0, %r5             ! j
    }
part:
    {
        cmpldb,0 %r5, %r1, %pred1
        shld,1 %r5, 3, %r6
        shld,3 %r4, 3, %r7
    }
    {
        ibranch pdone ? ~%pred1
    }
    {
        ldd,0 %g16, %r6, %r10
        ldd,2 %g16, %r7, %r11
    }
    {
        cmpbdb,0 %r10, %r3, %pred2     ! a[j] < pivot: swap a[i], a[j]; i++
    }
    {
        std,2 %g16, %r7, %r10 ? %pred2
        std,5 %g16, %r6, %r11 ? %pred2
        addd,0 %r4, 1, %r4 ? %pred2
        addd,1 %r5, 1, %r5
        ibranch part
    }
pdone:
    {
        shld,0 %r4, 3, %r7
    }
    {
        ldd,0 %g16, %r7, %r11
    }
    {
        std,2 %g16, %r7, %r3
        std,5 %g16, %r2, %r11
        addd,0 %r0, 0, %r8
        subd,1 %r4, 1, %r9
        call %ctpr1, wbs = 0x4
    }
    {
        disp %ctpr1, qsort
        addd,0 %r4, 1, %r8
        addd,1 %r1, 0, %r9
    }
    {
        call %ctpr1, wbs = 0x4
    }
    {
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .bss
array:
    .skip 800000
