! The sieve of Eratosthenes: prints the primes up to N (argv[1], default 100, at
! most 1000000), one per line, then how many there are.
! Build and run: ./examples/run.sh primes 50
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    .text
    .global _start
_start:
    {
        setwd wsz = 0x10, nfx = 1
        getsp,0 0, %r6                 ! the stack pointer addresses argc
        addd,1 0, 100, %r0             ! N
    }
    {
        ldd,0 %r6, 0, %r7              ! argc
        ldd,2 %r6, 16, %r8             ! argv[1]
    }
    {
        cmpbdb,0 %r7, 2, %pred0        ! no argument: keep 100
        disp %ctpr1, atoi
    }
    {
        ibranch sieve ? %pred0
    }
    {
        addd,0 0, 0, %r0
    }
atoi:                                  ! N = N * 10 + digit until a non-digit
    {
        ldb,0 %r8, 0, %r9
        addd,1 %r8, 1, %r8
    }
    {
        subd,0 %r9, 0x30, %r9
    }
    {
        cmpbdb,0 %r9, 10, %pred1       ! a digit (unsigned compare)
        muld,1 %r0, 10, %r10
    }
    {
        addd,0 %r10, %r9, %r0 ? %pred1
        ct %ctpr1 ? %pred1
    }
    {
        cmpbedb,0 %r0, 1000000, %pred2
    }
    {
        addd,0 0, 1000000, %r0 ? ~%pred2
    }
sieve:
    {
        addd,0 0, 2, %r1               ! i
        addd,1 0, 0, %r3               ! count
        addd,2 0, flags, %r4
    }
outer:
    {
        cmpbedb,0 %r1, %r0, %pred0     ! i <= N
        ldb,2 %r4, %r1, %r5
    }
    {
        ibranch done ? ~%pred0
    }
    {
        cmpedb,0 %r5, 0, %pred1
    }
    {
        ibranch next ? ~%pred1
    }
    {
        disp %ctpr1, print_u64
        addd,0 %r1, 0, %r24
        addd,1 %r3, 1, %r3
    }
    {
        call %ctpr1, wbs = 0xc
    }
    {
        muld,0 %r1, %r1, %r2           ! j = i * i
        addd,1 0, 1, %r5
    }
inner:
    {
        cmpbedb,0 %r2, %r0, %pred0     ! j <= N
    }
    {
        ibranch next ? ~%pred0
    }
    {
        stb,2 %r4, %r2, %r5
        addd,0 %r2, %r1, %r2
    }
    {
        ibranch inner
    }
next:
    {
        addd,0 %r1, 1, %r1
    }
    {
        ibranch outer
    }
done:
    {
        disp %ctpr1, print_u64
        addd,0 %r3, 0, %r24
    }
    {
        call %ctpr1, wbs = 0xc
    }
    {
        sdisp %ctpr1, 0x3
        addd,0 0, 1, %r24              ! exit(0)
        addd,1 0, 0, %r25
    }
    {
        call %ctpr1, wbs = 0xc
    }

! print_u64(%r0): writes the number in decimal and a newline.
print_u64:
    {
        setwd wsz = 0x8, nfx = 1
        addd,0 0, numbuf + 31, %r1     ! digits go right to left
        addd,1 0, 10, %r2
        disp %ctpr1, digit
    }
    {
        stb,2 %r1, 0, %r2              ! the newline
    }
digit:
    {
        udivd,5 %r0, 10, %r3
        subd,0 %r1, 1, %r1
    }
    {
        muld,0 %r3, 10, %r4
    }
    {
        subd,0 %r0, %r4, %r4
    }
    {
        addd,0 %r4, 0x30, %r4
        cmpedb,1 %r3, 0, %pred0
    }
    {
        stb,2 %r1, 0, %r4
        addd,0 %r3, 0, %r0
        ct %ctpr1 ? ~%pred0
    }
    {
        sdisp %ctpr2, 0x3
        addd,0 0, numbuf + 32, %r5
    }
    {
        subd,0 %r5, %r1, %r11
        addd,1 0, 4, %r8               ! write(1, first digit, length)
        addd,2 0, 1, %r9
        addd,3 %r1, 0, %r10
    }
    {
        call %ctpr2, wbs = 0x4
    }
    {
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .bss
numbuf:
    .skip 32
flags:
    .skip 1000008
