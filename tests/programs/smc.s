! Code written at run time: a function copied into a writable and executable page
! runs (and is compiled); a loop (compiled too, its stores to the code page fault on
! the host and the interpreter makes them) copies another function over it, and the
! calls that follow run the new one.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
! Copies the 64-byte function at `from` to the page at %r1 (loop at `loop`).
.macro install from, loop
    {
        addd,1 0, \from, %r2
        addd,2 0, 0, %r3
    }
\loop:
    {
        ldd,0 %r2, %r3, %r4
    }
    {
        std,2 %r1, %r3, %r4
        addd,0 %r3, 8, %r3
    }
    {
        cmpedb,0 %r3, 64, %pred1
    }
    {
        ibranch \loop ? ~%pred1
    }
.endm

! Calls the page's function ten times (loop at `loop`): each must return `want`.
.macro run want, loop, code
    {
        addd,0 0, 10, %r5
    }
\loop:
    {
        movtd,0 %r1, %ctpr1
    }
    {
        call %ctpr1, wbs = 0xc
    }
    check %r24, \want, \code
    {
        subd,0 %r5, 1, %r5
    }
    {
        cmpedb,0 %r5, 0, %pred1
    }
    {
        ibranch \loop ? ~%pred1
    }
.endm

    start
    sys 90, 0, 0x1000, 7, 0x12, -1, 0  ! mmap(RWX, MAP_PRIVATE | MAP_ANONYMOUS)
    {
        addd,0 0, %r24, %r1            ! the page
    }
    install one, copy1
    run 1, calls1, 1
    install two, copy2                 ! the other function over it
    run 2, calls2, 2
    print msg, 7
    exit 0

! The templates: 64 bytes each, returning 1 and 2.
    .align 64
one:
    {
        setwd wsz = 0x4, nfx = 1
        return %ctpr3
        addd,0 0, 1, %r0
    }
    {
        ct %ctpr3
    }
    .align 64
two:
    {
        setwd wsz = 0x4, nfx = 1
        return %ctpr3
        addd,0 0, 2, %r0
    }
    {
        ct %ctpr3
    }
    .align 64

    .data
msg:
    .ascii "smc ok\n"
