! cat: copies the file named by argv[1] to standard output.
! Build and run: ./examples/run.sh cat examples/cat.s
    .text
    .global _start
_start:
    {
        setwd wsz = 0x10, nfx = 1
        getsp,0 0, %r0
    }
    {
        ldd,0 %r0, 0, %r1              ! argc
        ldd,2 %r0, 16, %r2             ! argv[1]
    }
    {
        cmpbdb,0 %r1, 2, %pred0
        sdisp %ctpr1, 0x3
    }
    {
        ibranch usage ? %pred0
    }
    {
        addd,0 0, 335, %r24            ! openat(AT_FDCWD, argv[1], O_RDONLY)
        addd,1 0, -100, %r25
        addd,2 %r2, 0, %r26
        addd,3 0, 0, %r27
        call %ctpr1, wbs = 0xc
    }
    {
        addd,0 %r24, 0, %r3            ! the descriptor
        cmpldb,1 %r24, 0, %pred1       ! negative: -errno
    }
    {
        ibranch cannot_open ? %pred1
    }
loop:
    {
        sdisp %ctpr1, 0x3
        addd,0 0, 3, %r24              ! read(fd, buf, 4096)
        addd,1 %r3, 0, %r25
        addd,2 0, buf, %r26
        addd,3 0, 4096, %r27
    }
    {
        call %ctpr1, wbs = 0xc
    }
    {
        addd,0 %r24, 0, %r4
        cmpledb,1 %r24, 0, %pred2      ! end of file or error
        sdisp %ctpr1, 0x3
    }
    {
        ibranch finish ? %pred2
    }
    {
        addd,0 0, 4, %r24              ! write(1, buf, n)
        addd,1 0, 1, %r25
        addd,2 0, buf, %r26
        addd,3 %r4, 0, %r27
        call %ctpr1, wbs = 0xc
    }
    {
        ibranch loop
    }
finish:
    {
        addd,0 0, 1, %r24              ! exit(0), or 1 after a read error
        cmpldb,1 %r4, 0, %pred3
        addd,2 0, 0, %r25
    }
    {
        addd,0 0, 1, %r25 ? %pred3
        call %ctpr1, wbs = 0xc
    }
cannot_open:
    {
        sdisp %ctpr1, 0x3
        addd,0 0, 4, %r24
        addd,1 0, 2, %r25
        addd,2 0, open_msg, %r26
        addd,3 0, usage_msg - open_msg, %r27
    }
    {
        call %ctpr1, wbs = 0xc
    }
    {
        ibranch fail
    }
usage:
    {
        addd,0 0, 4, %r24
        addd,1 0, 2, %r25
        addd,2 0, usage_msg, %r26
        addd,3 0, msg_end - usage_msg, %r27
        call %ctpr1, wbs = 0xc
    }
fail:
    {
        sdisp %ctpr1, 0x3
        addd,0 0, 1, %r24
        addd,1 0, 1, %r25
    }
    {
        call %ctpr1, wbs = 0xc
    }

    .data
open_msg:
    .ascii "cat: cannot open the file\n"
usage_msg:
    .ascii "usage: cat FILE\n"
msg_end:
    .bss
buf:
    .skip 4096
