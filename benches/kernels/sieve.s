! Sieve of Eratosthenes up to 2000000 (byte flags); exits with the count mod 256.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    .text
    .global _start
_start:
    {
        setwd wsz = 0x10, nfx = 1
        addd,0 0, 2000000, %r0
        addd,1 0, 2, %r1
        addd,2 0, flags, %r4
    }
    {
        addd,0 0, 0, %r3
        addd,1 0, 1, %r5
    }
outer:
    {
        cmpbedb,0 %r1, %r0, %pred0
        ldb,2 %r4, %r1, %r6
    }
    {
        ibranch done ? ~%pred0
    }
    {
        cmpedb,0 %r6, 0, %pred1
    }
    {
        ibranch next ? ~%pred1
    }
    {
        muld,0 %r1, %r1, %r2
        addd,1 %r3, 1, %r3
    }
inner:
    {
        cmpbedb,0 %r2, %r0, %pred0
    }
    {
        ibranch next ? ~%pred0
    }
    {
        stb,2 %r4, %r2, %r5
        addd,0 %r2, %r1, %r2
        ibranch inner
    }
next:
    {
        addd,0 %r1, 1, %r1
        ibranch outer
    }
done:
    {
        sdisp %ctpr1, 0x3
        addd,0 0, 1, %r24
        andd,1 %r3, 0xff, %r25
    }
    {
        call %ctpr1, wbs = 0xc
    }

    .bss
flags:
    .skip 2000008
