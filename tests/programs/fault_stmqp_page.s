! iset: v5
! exit: 139
! stderr: SIGSEGV
! Rule Q2: on ISA v5 stmqp needs its whole 16-byte block writable, even where the mask
! excludes bytes: the block here runs into a read-only page, the masked bytes do not.
! (The block is also misaligned; the page is checked first, else the rule could not
! be seen, as an aligned block never crosses a page.)
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    sys 90, 0, 0x2000, 3, 0x12, -1, 0  ! mmap(0, 2 pages, RW, MAP_PRIVATE | MAP_ANONYMOUS)
    {
        addd,0 0, %r24, %dr1
    }
    {
        addd,0 %dr1, 0x1000, %dr2
    }
    sys 125, %r2, 0x1000, 1            ! mprotect(second page, PROT_READ)
    check %r24, 0, 1
    {
        addd,0 %dr1, 0xff8, %dr1       ! 8 bytes in the first page, 8 in the second
        addd,1 0, 0x00ff, %dr3         ! only the first 8
    }
    {
        stmqp,2 %dr1, %dr3, %qpr4
    }
    exit 0
