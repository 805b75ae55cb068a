! memset and memcpy: fill 1 MiB with a pattern, copy it 64 times, xor-sum the copy.
! Loops are counted by %lsr (alc, %NOT_LOOP_END).
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    .text
    .global _start
_start:
    {
        setwd wsz = 0x10, nfx = 1
    }
    {
        addd,0 0, src, %r0
        addd,1 0, dst, %r1
    }
    {
        rwd,0 0x2000020000, %lsr       ! 131072 words
        disp %ctpr1, fill
        addd,1 0, 0, %r2
        addd,3 0, 1, %r4
    }
fill:
    {
        std,2 %r0, %r2, %r4
        addd,0 %r2, 8, %r2
        addd,1 %r4, 3, %r4
        alc alcf = 0, alct = 1
        ct %ctpr1 ? %NOT_LOOP_END
    }
    {
        addd,0 0, 64, %r10
    }
again:
    {
        rwd,0 0x2000020000, %lsr
        disp %ctpr1, copy
        addd,1 0, 0, %r2
    }
copy:
    {
        ldd,0 %r0, %r2, %r5
    }
    {
        std,2 %r1, %r2, %r5
        addd,0 %r2, 8, %r2
        alc alcf = 0, alct = 1
        ct %ctpr1 ? %NOT_LOOP_END
    }
    {
        subd,0 %r10, 1, %r10
    }
    {
        cmpedb,0 %r10, 0, %pred0
    }
    {
        ibranch again ? ~%pred0
    }
    {
        rwd,0 0x2000020000, %lsr
        disp %ctpr1, sum
        addd,1 0, 0, %r2
        addd,3 0, 0, %r6
    }
sum:
    {
        ldd,0 %r1, %r2, %r5
    }
    {
        xord,0 %r6, %r5, %r6
        addd,1 %r2, 8, %r2
        alc alcf = 0, alct = 1
        ct %ctpr1 ? %NOT_LOOP_END
    }
    {
        sdisp %ctpr1, 0x3
        addd,0 0, 1, %r24
        andd,1 %r6, 0xff, %r25
    }
    {
        call %ctpr1, wbs = 0xc
    }

    .bss
src:
    .skip 1048576
dst:
    .skip 1048576
