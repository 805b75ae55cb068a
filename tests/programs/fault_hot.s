! Faults in compiled code (loops hot at once under -jit-threshold 1, which compiled
! code checks by host faults): stores run through a writable page into a read-only
! one, and SIGSEGV comes at the first byte of that page with the loop's registers
! as before the faulting wide instruction and every store before it landed; a load
! that crosses from a readable page into an unmapped one faults at the unmapped
! page.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    sys 174, 11, act_segv, 0, 8        ! rt_sigaction(SIGSEGV)
    sys 90, 0, 0x3000, 3, 0x12, -1, 0  ! mmap(3 pages, RW, MAP_PRIVATE | MAP_ANONYMOUS)
    {
        addd,0 0, %r24, %r1            ! the pages
        addd,1 0, want, %r8
    }
    {
        addd,0 %r1, 0x1000, %r2
        addd,1 %r1, 0x2000, %r3
    }
    sys 125, %r2, 0x1000, 1            ! mprotect(page 2, PROT_READ)
    check %r24, 0, 1
    sys 91, %r3, 0x1000                ! munmap(page 3)
    check %r24, 0, 2

    ! Stores into page 2.
    {
        addd,0 0, after_stores, %r9
        std,2 %r8, 0, %r2              ! want: the fault address
    }
    {
        std,2 %r8, 8, %r9              ! and where the handler resumes
        addd,0 0, 0, %r4
        addd,1 0, %r1, %r5
    }
stores:
    {
        std,2 %r5, 0, %r4
        addd,0 %r5, 8, %r5
        addd,1 %r4, 1, %r4
    }
    {
        ibranch stores
    }
    exit 3                             ! the stores never end without a fault
after_stores:
    check %r4, 512, 4                  ! as before the faulting store
    check %r5, %r2, 5
    {
        ldd,0 %r1, 0xff8, %r6
        ldd,2 %r1, 0, %r7
    }
    check %r6, 511, 6                  ! the last store before it landed
    check %r7, 0, 7
    {
        ldd,0 %r8, 16, %r10
    }
    check %r10, 1, 8                   ! one fault so far

    ! Loads running over the end of page 2 into the unmapped page 3.
    {
        addd,0 0, after_loads, %r9
        std,2 %r8, 0, %r3
    }
    {
        std,2 %r8, 8, %r9
        addd,0 %r1, 0x1f00, %r5
        addd,1 0, 0, %r4
    }
loads:
    {
        ldd,0 %r5, 0, %r6
        addd,1 %r5, 4, %r5
    }
    {
        addd,0 %r4, %r6, %r4
        ibranch loads
    }
    exit 9
after_loads:
    {
        addd,0 %r1, 0x1ffc, %r7
    }
    check %r5, %r7, 10                 ! at the load that crossed
    check %r4, 0, 11                   ! page 2 holds zeros
    {
        ldd,0 %r8, 16, %r10
    }
    check %r10, 2, 12

    print msg, 13
    exit 0

! SIGSEGV: si_addr must be the expected address; count, resume where asked.
segv:
    {
        setwd wsz = 0x10, nfx = 1
        ldd,0 %r1, 16, %r3
        addd,1 0, want, %r6
    }
    {
        ldd,0 %r6, 0, %r7
        ldd,2 %r6, 8, %r5
    }
    {
        ldd,0 %r6, 16, %r9
    }
    check %r3, %r7, 40                 ! si_addr
    {
        addd,0 %r9, 1, %r9
        std,2 %r2, 48, %r5             ! uc_mcontext.cr0_hi
    }
    {
        std,2 %r6, 16, %r9
    }
    {
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .data
act_segv:
    .quad segv, 4, 0, 0                ! SA_SIGINFO
msg:
    .ascii "fault_hot ok\n"
    .bss
    .align 8
want:
    .skip 24                           ! fault address, resume address, faults
