! A dynamically linked test program: PT_INTERP names ld-e2k-test.s, which patches
! `slot` with the library's `greet`. Position-independent, so that it runs both as
! ET_EXEC and as a PIE. Prints argv[1], calls greet, prints a last line, exits 7.
! Exit codes: 20 argc is not 2, 21 the slot was not patched.
    .text
    .global _start
_start:
    {
        setwd wsz = 0x10, nfx = 1
        getsp,0 0, %r0
    }
self:
    {
        rrd,0 %ip, %r1
    }
    {
        subd,0 %r1, self, %r1          ! our load bias (0 as ET_EXEC)
        ldd,2 %r0, 0, %r2              ! argc
        ldd,3 %r0, 16, %r3             ! argv[1]
    }
    check %r2, 2, 20
    {
        addd,0 0, 0, %r4
    }
len:
    {
        ldb,0 %r3, %r4, %r5
    }
    {
        cmpedb,0 %r5, 0, %pred0
    }
    {
        addd,0 %r4, 1, %r4 ? ~%pred0
    }
    {
        ibranch len ? ~%pred0
    }
    sys 4, 1, %r3, %r4
    {
        addd,0 %r1, newline, %r5
    }
    sys 4, 1, %r5, 1
    {
        addd,0 %r1, slot, %r4
    }
    {
        ldd,0 %r4, 0, %r5
    }
    {
        cmpedb,0 %r5, 0, %pred0
    }
    failif %pred0, 21
    {
        movtd,0 %r5, %ctpr2
    }
    {
        call %ctpr2, wbs = 0x8
    }
    {
        addd,0 %r1, back, %r5
    }
    sys 4, 1, %r5, back_end - back
    exit 7

    .section .rodata
newline:
    .ascii "\n"
back:
    .ascii "back in the program\n"
back_end:
libname:
    .asciz "/lib64/libe2k-test.so"

    .section .interp
    .asciz "/lib64/ld-e2k-test.so"

    .data
slot:
    .quad 0

    .section .dynamic
    .quad 0x60000001, libname
    .quad 0x60000002, slot
    .quad 0, 0
