! A test program interpreter (a tiny dynamic loader), assembled with `e2k-as --pie`
! after lib/prelude.s and started by e2k-emu for programs whose PT_INTERP names it.
! It checks what the kernel told it, loads one library and patches one pointer in
! the program, then enters the program with the stack the kernel built.
!
! Convention (our own, not the ELF gABI's): the program's PT_DYNAMIC holds
!   0x60000001, PATH   address of the library's absolute path (opened as given,
!                      so that -L finds it in the sysroot)
!   0x60000002, SLOT   address of a 64-bit slot that receives the library's entry
!                      (its e_entry plus its load base)
! both link-time addresses (the program's load bias is added), ended by tag 0.
! The library is mapped as ld.so does: its whole span reserved PROT_NONE, then each
! PT_LOAD file-mapped MAP_FIXED over it (libraries without bss only).
!
! Exit codes: 10 AT_BASE is not where this loader runs, 11 the program's ELF header
! is not at AT_PHDR - 64 or its e_entry (biased) is not AT_ENTRY, 12 no PT_DYNAMIC,
! 13 the library cannot be opened, 14 or 15 a mapping failed, 16 no PT_PHDR.
    .text
    .global _start
_start:
    {
        setwd wsz = 0x10, nfx = 1
        getsp,0 0, %r0                 ! the stack pointer addresses argc
    }
self:
    {
        rrd,0 %ip, %r1
    }
    {
        subd,0 %r1, self, %r1          ! our load bias (we are linked at 0)
        ldd,2 %r0, 0, %r7              ! argc
    }
    {
        shld,0 %r7, 3, %r7
    }
    {
        addd,0 %r0, %r7, %r2
    }
    {
        addd,0 %r2, 16, %r2            ! envp[0]: past argv[] and its NULL
    }
env:
    {
        ldd,0 %r2, 0, %r7
        addd,1 %r2, 8, %r2
    }
    {
        cmpedb,0 %r7, 0, %pred0
    }
    {
        ibranch env ? ~%pred0
    }
    ! %r2: the auxiliary vector. %r3 AT_PHDR, %r4 AT_PHNUM, %r5 AT_ENTRY, %r6 AT_BASE
    {
        addd,0 0, 0, %r3
        addd,1 0, 0, %r4
        addd,3 0, 0, %r5
        addd,4 0, 0, %r6
    }
aux:
    {
        ldd,0 %r2, 0, %r7
        ldd,2 %r2, 8, %r8
        addd,1 %r2, 16, %r2
    }
    {
        cmpedb,0 %r7, 3, %pred1
        cmpedb,1 %r7, 5, %pred2
    }
    {
        addd,0 %r8, 0, %r3 ? %pred1
    }
    {
        addd,0 %r8, 0, %r4 ? %pred2
    }
    {
        cmpedb,0 %r7, 9, %pred1
        cmpedb,1 %r7, 7, %pred2
    }
    {
        addd,0 %r8, 0, %r5 ? %pred1
    }
    {
        addd,0 %r8, 0, %r6 ? %pred2
    }
    {
        cmpedb,0 %r7, 0, %pred0
    }
    {
        ibranch aux ? ~%pred0
    }
    check %r6, %r1, 10
    ! The program headers: %r9 the program's bias (from PT_PHDR), %r10 its PT_DYNAMIC.
    {
        addd,0 %r3, 0, %r7
        addd,1 %r4, 0, %r11
        addd,3 0, 0, %r10
        addd,4 0, 0, %r15
    }
phdrs:
    {
        ldw,0 %r7, 0, %r8
        ldd,2 %r7, 16, %r12
    }
    {
        cmpesb,0 %r8, 6, %pred1
        cmpesb,1 %r8, 2, %pred2
    }
    {
        subd,0 %r3, %r12, %r9 ? %pred1
    }
    {
        addd,0 0, 1, %r15 ? %pred1
    }
    {
        addd,0 %r12, 0, %r10 ? %pred2
    }
    {
        subd,0 %r11, 1, %r11
        addd,1 %r7, 56, %r7
    }
    {
        cmpedb,0 %r11, 0, %pred0
    }
    {
        ibranch phdrs ? ~%pred0
    }
    check %r15, 1, 16
    ! The ELF header just below the program headers, and its entry.
    {
        subd,0 %r3, 64, %r7
    }
    {
        ldw,0 %r7, 0, %r8
        ldd,2 %r7, 24, %r12
    }
    checks %r8, 0x464c457f, 11
    {
        addd,0 %r12, %r9, %r12
    }
    check %r12, %r5, 11
    {
        cmpedb,0 %r10, 0, %pred0
    }
    failif %pred0, 12
    ! The dynamic entries: %r13 the library's path, %r14 the slot (0: none).
    {
        addd,0 %r10, %r9, %r10
        addd,1 0, 0, %r13
        addd,3 0, 0, %r14
    }
dyn:
    {
        ldd,0 %r10, 0, %r7
        ldd,2 %r10, 8, %r8
        addd,1 %r10, 16, %r10
    }
    {
        addd,0 %r8, %r9, %r8
    }
    {
        cmpedb,0 %r7, 0x60000001, %pred1
    }
    {
        cmpedb,0 %r7, 0x60000002, %pred2
    }
    {
        addd,0 %r8, 0, %r13 ? %pred1
    }
    {
        addd,0 %r8, 0, %r14 ? %pred2
    }
    {
        cmpedb,0 %r7, 0, %pred0
    }
    {
        ibranch dyn ? ~%pred0
    }
    {
        cmpedb,0 %r13, 0, %pred0
    }
    {
        ibranch enter ? %pred0
    }
    ! openat(AT_FDCWD, path, O_RDONLY); then the library's headers into `hdr`.
    sys 335, -100, %r13, 0
    {
        addd,0 %r24, 0, %r16           ! the descriptor
        cmpldb,1 %r24, 0, %pred0
    }
    failif %pred0, 13
    {
        addd,0 %r1, hdr, %r17
    }
    sys 180, %r16, %r17, 512, 0        ! pread64(fd, hdr, 512, 0)
    ! The span: the end of the highest PT_LOAD, page-rounded (%r18).
    {
        ldd,0 %r17, 32, %r7            ! e_phoff
        ldh,2 %r17, 56, %r11           ! e_phnum
        addd,1 0, 0, %r18
    }
    {
        addd,0 %r17, %r7, %r19         ! the first program header
    }
    {
        addd,0 %r19, 0, %r7
        addd,1 %r11, 0, %r20
    }
span:
    {
        ldw,0 %r7, 0, %r8
        ldd,2 %r7, 16, %r12            ! p_vaddr
        ldd,3 %r7, 40, %r21            ! p_memsz
    }
    {
        addd,0 %r12, %r21, %r12
        cmpesb,1 %r8, 1, %pred1
    }
    {
        cmpbdb,0 %r18, %r12, %pred2
    }
    {
        addd,0 %r12, 0, %r18 ? %pred2
    }
    {
        subd,0 %r20, 1, %r20
        addd,1 %r7, 56, %r7
    }
    {
        cmpedb,0 %r20, 0, %pred0
    }
    {
        ibranch span ? ~%pred0
    }
    {
        addd,0 %r18, 0xfff, %r18
    }
    {
        andnd,0 %r18, 0xfff, %r18
    }
    ! mmap(0, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0): the base, %r22.
    sys 90, 0, %r18, 0, 0x12, -1, 0
    {
        addd,0 %r24, 0, %r22
        cmpldb,1 %r24, 0, %pred0
    }
    failif %pred0, 14
    ! Each PT_LOAD: mmap(base + page(vaddr), page_up(vaddr % page + filesz), prot,
    ! MAP_PRIVATE | MAP_FIXED, fd, page(offset)).
    {
        addd,0 %r19, 0, %r7
        addd,1 %r11, 0, %r20
    }
load:
    {
        ldw,0 %r7, 0, %r8
        ldw,2 %r7, 4, %r21             ! p_flags
    }
    {
        cmpesb,0 %r8, 1, %pred1
    }
    {
        ibranch next ? ~%pred1
    }
    {
        ldd,0 %r7, 8, %r12             ! p_offset
        ldd,2 %r7, 16, %r23            ! p_vaddr
        ldd,3 %r7, 32, %r8             ! p_filesz
    }
    {
        andd,0 %r23, 0xfff, %r31       ! vaddr within its page
        andnd,1 %r23, 0xfff, %r23
        andnd,3 %r12, 0xfff, %r12
    }
    {
        addd,0 %r8, %r31, %r8
        addd,1 %r22, %r23, %r23
    }
    {
        addd,0 %r8, 0xfff, %r8
        ! ELF flags (X 1, W 2, R 4) to PROT_ (R 1, W 2, X 4)
        shrd,1 %r21, 2, %r31
        andd,3 %r21, 2, %r15
    }
    {
        andnd,0 %r8, 0xfff, %r8
        andd,1 %r31, 1, %r31
        andd,3 %r21, 1, %r21
    }
    {
        shld,0 %r21, 2, %r21
        ord,1 %r31, %r15, %r31
    }
    {
        ord,0 %r31, %r21, %r21
    }
    sys 90, %r23, %r8, %r21, 0x102, %r16, %r12
    {
        cmpedb,0 %r24, %r23, %pred0
    }
    failif ~%pred0, 15
next:
    {
        subd,0 %r20, 1, %r20
        addd,1 %r7, 56, %r7
    }
    {
        cmpedb,0 %r20, 0, %pred0
    }
    {
        ibranch load ? ~%pred0
    }
    sys 6, %r16                        ! close(fd)
    ! The slot gets the library's entry.
    {
        cmpedb,0 %r14, 0, %pred0
        ldd,2 %r17, 24, %r7            ! the library's e_entry
    }
    {
        ibranch enter ? %pred0
    }
    {
        addd,0 %r7, %r22, %r7
    }
    {
        std,2 %r7, [ %r14 + 0 ]
    }
enter:
    ! The program starts as the kernel would have started it: same stack, %dr0 = 0
    ! (no rtld_fini).
    {
        movtd,0 %r5, %ctpr2
        addd,1 0, 0, %r0
    }
    {
        ct %ctpr2
    }

    .bss
hdr:
    .skip 512
