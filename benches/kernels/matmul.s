! 128x128 matrix multiply of 64-bit integers (wrapping), C = A * B, with
! A[i][j] = i + j and B[i][j] = i * j + 1; exits with the low byte of the sum of C.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    .text
    .global _start
_start:
    {
        setwd wsz = 0x10, nfx = 1
    }
    {
        addd,0 0, ma, %r0
        addd,1 0, mb, %r1
    }
    {
        addd,2 0, mc, %r2
    }
    {
        addd,0 0, 0, %r3               ! i
    }
init_i:
    {
        addd,0 0, 0, %r4               ! j
    }
init_j:
    {
        shld,0 %r3, 7, %r5
        addd,1 %r3, %r4, %r6           ! i + j
        muld,3 %r3, %r4, %r7
    }
    {
        addd,0 %r5, %r4, %r5           ! i * 128 + j
        addd,1 %r7, 1, %r7             ! i * j + 1
    }
    {
        shld,0 %r5, 3, %r5
    }
    {
        std,2 %r0, %r5, %r6
        std,5 %r1, %r5, %r7
        addd,0 %r4, 1, %r4
    }
    {
        cmpbdb,0 %r4, 128, %pred0
    }
    {
        ibranch init_j ? %pred0
    }
    {
        addd,0 %r3, 1, %r3
    }
    {
        cmpbdb,0 %r3, 128, %pred0
    }
    {
        ibranch init_i ? %pred0
    }
    {
        addd,0 0, 0, %r3               ! i
        addd,1 0, 0, %r15              ! sum of C
    }
row:
    {
        addd,0 0, 0, %r4               ! j
    }
col:
    {
        rwd,0 0x2000000080, %lsr       ! k = 0..127
        disp %ctpr1, dot
        shld,1 %r3, 10, %r8             ! &A[i][0] offset
        shld,3 %r4, 3, %r9             ! &B[0][j] offset
        addd,2 0, 0, %r10              ! acc
    }
dot:
    {
        ldd,0 %r0, %r8, %r11
        ldd,2 %r1, %r9, %r12
    }
    {
        muld,0 %r11, %r12, %r13
        addd,1 %r8, 8, %r8
        addd,3 %r9, 1024, %r9
    }
    {
        addd,0 %r10, %r13, %r10
        alc alcf = 0, alct = 1
        ct %ctpr1 ? %NOT_LOOP_END
    }
    {
        shld,0 %r3, 7, %r5
        addd,1 %r15, %r10, %r15
    }
    {
        addd,0 %r5, %r4, %r5
    }
    {
        shld,0 %r5, 3, %r5
        addd,1 %r4, 1, %r4
    }
    {
        std,2 %r2, %r5, %r10
        cmpbdb,0 %r4, 128, %pred0
    }
    {
        ibranch col ? %pred0
    }
    {
        addd,0 %r3, 1, %r3
    }
    {
        cmpbdb,0 %r3, 128, %pred0
    }
    {
        ibranch row ? %pred0
    }
    {
        sdisp %ctpr1, 0x3
        addd,0 0, 1, %r24
        andd,1 %r15, 0xff, %r25
    }
    {
        call %ctpr1, wbs = 0xc
    }

    .bss
ma:
    .skip 131072
mb:
    .skip 131072
mc:
    .skip 131072
