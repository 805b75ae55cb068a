! Macros shared by the end-to-end test programs (assembled in front of each).
! Convention: _start opens a 32-register window (setwd wsz = 0x10); %r24..%r31
! are scratch for system calls, which use wbs = 0xc (the kernel sees %r24 as %r0).

! exit(code)
.macro exit code
    {
        sdisp %ctpr1, 0x3
    }
    {
        addd,0 0, 1, %r24
        addd,1 0, \code, %r25
        call %ctpr1, wbs = 0xc
    }
.endm

! write(1, msg, len)
.macro print msg, len
    {
        sdisp %ctpr1, 0x3
    }
    {
        addd,0 0, 4, %r24
        addd,1 0, 1, %r25
        addd,2 0, \msg, %r26
        addd,3 0, \len, %r27
        call %ctpr1, wbs = 0xc
    }
.endm

! exit(code) unless the 64-bit register equals the value
.macro check reg, val, code
    {
        cmpedb,0 \reg, \val, %pred30
        sdisp %ctpr1, 0x3
    }
    {
        addd,0 0, 1, %r24
        addd,1 0, \code, %r25
    }
    {
        call %ctpr1, wbs = 0xc ? ~%pred30
    }
.endm

! exit(code) unless the low 32 bits equal the value
.macro checks reg, val, code
    {
        cmpesb,0 \reg, \val, %pred30
        sdisp %ctpr1, 0x3
    }
    {
        addd,0 0, 1, %r24
        addd,1 0, \code, %r25
    }
    {
        call %ctpr1, wbs = 0xc ? ~%pred30
    }
.endm

! exit(code) unless the predicate holds
.macro checkp pred, code
    {
        sdisp %ctpr1, 0x3
    }
    {
        addd,0 0, 1, %r24
        addd,1 0, \code, %r25
    }
    {
        call %ctpr1, wbs = 0xc ? ~\pred
    }
.endm

.macro start
    .text
    .global _start
_start:
    {
        setwd wsz = 0x10, nfx = 1
    }
.endm

! A system call: result in %r24 (the kernel's %r0). Arguments may not name %r24..%r30.
.macro sys nr, a1=0, a2=0, a3=0, a4=0, a5=0, a6=0
    {
        sdisp %ctpr1, 0x3
        addd,0 0, \nr, %r24
        addd,1 0, \a1, %r25
    }
    {
        addd,0 0, \a2, %r26
        addd,1 0, \a3, %r27
    }
    {
        addd,0 0, \a4, %r28
        addd,1 0, \a5, %r29
    }
    {
        addd,0 0, \a6, %r30
    }
    {
        call %ctpr1, wbs = 0xc
    }
.endm

! exit(code) if the predicate holds
.macro failif pred, code
    {
        sdisp %ctpr1, 0x3
    }
    {
        addd,0 0, 1, %r24
        addd,1 0, \code, %r25
    }
    {
        call %ctpr1, wbs = 0xc ? \pred
    }
.endm
