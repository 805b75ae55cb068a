! access_hw_stacks as the E2K kernel answers it: the procedure-stack size and the
! chain-stack size stored through real_size, READ_PROCEDURE_STACK_EX returning the
! registers saved by the calls (the last 128 bytes after an 8-register system-call
! frame start with the caller's %r0), its alignment and range checks, and
! WRITE_PROCEDURE_STACK_EX changing a caller's register as seen after the return.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    {
        addd,0 0, 0x1234, %r0
        disp %ctpr1, probe
    }
    {
        call %ctpr1, wbs = 0x4
    }
    check %r0, 0x5678, 1               ! written through the procedure stack
    print msg, 12
    exit 0

! access_hw_stacks(mode, &offset, buf, size, &real_size) from a window with wbs = 4.
.macro hw mode, off, buf, size
    {
        sdisp %ctpr1, 0x3
        addd,0 0, 254, %r8
        addd,1 0, \mode, %r9
    }
    {
        addd,0 0, offword, %r10
        addd,1 0, \off, %r14
    }
    {
        std,2 %r10, 0, %r14
        addd,0 0, \buf, %r11
        addd,1 0, \size, %r12
    }
    {
        addd,0 0, sizeword, %r13
        call %ctpr1, wbs = 0x4
    }
.endm

probe:
    {
        setwd wsz = 0x10, nfx = 1
        addd,0 0, 0xabcd, %r0
    }
    hw 5, 0, 0, 0                      ! GET_PROCEDURE_STACK_SIZE
    check %r8, 0, 10
    {
        ldd,0 0, sizeword, %r16
    }
    check %r16, 256, 11                ! (8 caller + 8 own registers) x 16 bytes
    hw 7, 128, buf, 128                ! READ_PROCEDURE_STACK_EX, last 128 bytes
    check %r8, 0, 12
    {
        ldd,0 0, buf, %r16
    }
    check %r16, 0xabcd, 13             ! this procedure's %r0
    hw 7, 128, buf + 4, 8              ! unaligned buffer
    check %r8, -14, 14
    hw 7, 200, buf, 64                 ! past the used part
    check %r8, -22, 15
    {
        addd,0 0, 0x5678, %r16
    }
    {
        std,2 0, buf, %r16
    }
    hw 8, 0, buf, 8                    ! WRITE_PROCEDURE_STACK_EX: the caller's %r0
    check %r8, 0, 16
    hw 4, 0, 0, 0                      ! GET_CHAIN_STACK_SIZE
    check %r8, 0, 17
    {
        rrd,0 %pcsp.hi, %r17
        ldd,2 0, sizeword, %r16
    }
    {
        andd,0 %r17, 0xffffffff, %r17
    }
    {
        addd,0 %r17, 32, %r17
    }
    {
        cmpedb,0 %r16, %r17, %pred0
    }
    failif ~%pred0, 18                 ! used chain bytes + one frame record
    hw 10, 0, 0, 0
    check %r8, -22, 19                 ! no such mode
    {
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .data
msg:
    .ascii "hwstacks ok\n"
    .bss
offword:
    .skip 8
sizeword:
    .skip 8
buf:
    .skip 256
