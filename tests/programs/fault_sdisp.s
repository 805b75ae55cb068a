! exit: 139
! stderr: SIGSEGV
! Rule S6: the sdisp entry is the whole CS0 displacement (objdump prints its low 5
! bits, here 0x1f); a call through an entry that is no system-call entry (3, 4, 6) is
! a jump into unmapped kernel space: SIGSEGV, not -ENOSYS.
    start
    .word 0x00004001, 0x6fffffff       ! sdisp %ctpr1, entry 0xfffffff (e2k-as: 5 bits)
    {
        addd,0 0, 1, %r24              ! exit(0), if it were a system call
        addd,1 0, 0, %r25
        call %ctpr1, wbs = 0xc
    }
    exit 0
