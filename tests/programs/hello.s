! exit: 3
! Prints a greeting with write(2) and exits with status 3.
! System calls: sdisp %ctpr1, 3 prepares the 64-bit trap entry; the call's
! wbs = 4 makes %r8.. of this window the kernel's %r0.. (number, arguments).
    .text
    .global _start
_start:
    {
        setwd wsz = 8, nfx = 1
        sdisp %ctpr1, 0x3
    }
    {
        addd,0 0, 4, %r8            ! write
        addd,1 0, 1, %r9            ! fd 1
        addd,2 0, greeting, %r10
        addd,3 0, greeting_end - greeting, %r11
        call %ctpr1, wbs = 4
    }
    {
        setwd wsz = 8, nfx = 1
        sdisp %ctpr1, 0x3
    }
    {
        addd,0 0, 1, %r8            ! exit
        addd,1 0, 3, %r9
        call %ctpr1, wbs = 4
    }

    .data
greeting:
    .ascii "hello from e2k-as\n"
greeting_end:
