! Hello world for E2K Linux: write(2) and exit(2) through the system-call entry.
! Build and run: ./examples/run.sh hello
    .text
    .global _start
_start:
    {
        setwd wsz = 0x8, nfx = 1       ! a 16-register window
        sdisp %ctpr1, 0x3              ! the 64-bit system-call entry
    }
    {
        addd,0 0, 4, %r8               ! write: the kernel sees %r8.. as %r0..
        addd,1 0, 1, %r9               ! stdout
        addd,2 0, greeting, %r10
        addd,3 0, greeting_end - greeting, %r11
        call %ctpr1, wbs = 0x4
    }
    {
        sdisp %ctpr1, 0x3              ! a call empties the %ctpr registers
    }
    {
        addd,0 0, 1, %r8               ! exit(0)
        addd,1 0, 0, %r9
        call %ctpr1, wbs = 0x4
    }

    .data
greeting:
    .ascii "Hello, Elbrus!\n"
greeting_end:
