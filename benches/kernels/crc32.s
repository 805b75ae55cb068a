! Bitwise CRC-32 (reflected, polynomial 0xedb88320) of 256 KiB: a byte loop around a
! bit loop counted by %lsr; exits with the low byte of the CRC.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    .text
    .global _start
_start:
    {
        setwd wsz = 0x10, nfx = 1
        addd,0 0, buf, %r0
        addd,1 0, 0, %r2
        addd,2 0, 7, %r4
    }
    {
        rwd,0 0x2000040000, %lsr       ! fill 262144 bytes
        disp %ctpr1, fill
    }
fill:
    {
        stb,2 %r0, %r2, %r4
        addd,0 %r2, 1, %r2
        addd,1 %r4, 13, %r4
        alc alcf = 0, alct = 1
        ct %ctpr1 ? %NOT_LOOP_END
    }
    {
        addd,0 0, 0, %r2               ! position
        addd,1 0, 0xffffffff, %r3      ! crc
    }
byte:
    {
        ldb,2 %r0, %r2, %r5
        rwd,0 0x2000000008, %lsr       ! 8 bits
        disp %ctpr1, bit
    }
    {
        xord,0 %r3, %r5, %r3
    }
bit:
    {
        andd,0 %r3, 1, %r6
        shrd,1 %r3, 1, %r3
    }
    {
        subd,0 0, %r6, %r6             ! all ones when the low bit was set
    }
    {
        andd,0 %r6, 0xedb88320, %r6
    }
    {
        xord,0 %r3, %r6, %r3
        alc alcf = 0, alct = 1
        ct %ctpr1 ? %NOT_LOOP_END
    }
    {
        addd,0 %r2, 1, %r2
        cmpbdb,1 %r2, 262143, %pred0
    }
    {
        ibranch byte ? %pred0
    }
    {
        sdisp %ctpr1, 0x3
        xord,0 %r3, 0xffffffff, %r3
    }
    {
        addd,0 0, 1, %r24
        andd,1 %r3, 0xff, %r25
        call %ctpr1, wbs = 0xc
    }

    .bss
buf:
    .skip 262144
