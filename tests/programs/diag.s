! Diagnostic (D) values as the hardware forms them (exactness rules T1-T4): a
! speculative operation with a D input or under a D predicate gives the value computed
! from the operands as stored with bit 30 of every 32-bit word set, tagged for its
! width; a speculative division by zero gives 0 so poisoned; a speculative load from an
! inaccessible address gives the fixed 0x4afafafa4afafafa, which arithmetic does not
! propagate as such; a speculative store of D data, or under a D predicate, stores the
! data poisoned (memory keeps no tags); a merge carries only the tag of the operand it
! selects.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start

! exit(code) unless the register, its tag cleared, equals the value
.macro value reg, val, code
    {
        puttagd,2 \reg, 0, %r20
    }
    check %r20, \val, \code
.endm

! exit(code) unless the register's tags (gettagd) equal the value
.macro tagis reg, tag, code
    {
        gettagd,2 \reg, %r21
    }
    check %r21, \tag, \code
.endm

    {
        addd,0 0, 0, %r0
        addd,1 0, 7, %r2
        addd,3 0, buf, %r9
    }
    {
        puttagd,2 %r0, 5, %r1              ! %r1: D zero
        puttagd,5 %r2, 5, %r3              ! %r3: D seven
    }
    tagis %r1, 5, 1
    ! T2: computed from the stored values, bit 30 of every word set, tag per width.
    {
        addd,0,sm %r1, %r1, %r4            ! 0 + 0
        subd,1,sm %r1, 1, %r5              ! 0 - 1
        subd,3,sm %r3, %r3, %r6            ! x - x
        adds,4,sm %r3, 5, %r7              ! 32-bit: 0x4000000c, tag 1
    }
    value %r4, 0x4000000040000000, 2
    tagis %r4, 5, 3
    value %r5, 0xffffffffffffffff, 4
    tagis %r5, 5, 5
    value %r6, 0x4000000040000000, 6
    value %r7, 0x4000000c, 7
    tagis %r7, 1, 8
    ! A speculative division by zero: 0, poisoned.
    {
        sdivd,5,sm %r2, 0, %r8
    }
    value %r8, 0x4000000040000000, 9
    tagis %r8, 5, 10
    ! A speculative load from an inaccessible address: the fixed D value; arithmetic
    ! on it is computed as for any D value.
    {
        ldd,0,sm %r0, 0, %r10
    }
    value %r10, 0x4afafafa4afafafa, 11
    tagis %r10, 5, 12
    {
        addd,0,sm %r10, 0x10, %r11
    }
    value %r11, 0x4afafafa4afafb0a, 13
    ! T1: under a D predicate (whatever its value bit) a speculative operation runs
    ! as if it held and its result is poisoned; with %empty.lo as destination nothing
    ! happens.
    {
        cmpedb,0,sm %r1, 1, %pred1         ! D, value bit false
    }
    {
        addd,0,sm %r2, 1, %r12 ? %pred1
        addd,1,sm %r2, 2, %empty.lo ? %pred1
    }
    value %r12, 0x4000000040000008, 14
    tagis %r12, 5, 15
    ! T3: speculative stores of D data or under a D predicate store the data
    ! poisoned; loads give it back untagged.
    {
        std,2,sm %r9, 0, %r3               ! D data, 64 bits
        stw,5,sm %r9, 8, %r3               ! D data, 32 bits
    }
    {
        std,2,sm %r9, 16, %r2 ? %pred1     ! clean data under a D predicate
    }
    {
        ldd,0 %r9, 0, %r13
        ldw,2 %r9, 8, %r14
        ldd,3 %r9, 16, %r15
    }
    check %r13, 0x4000000040000007, 16
    check %r14, 0x40000007, 17
    check %r15, 0x4000000040000007, 18
    tagis %r13, 0, 19
    ! T4: a merge carries only the tag of the operand it selects.
    {
        cmpedb,0 %r0, 0, %pred2            ! true
        cmpedb,1 %r0, 1, %pred3            ! false
    }
    {
        merged,0 %r1, %r2, %r16, %pred2    ! selects %r2: clean, no fault
        merged,3 %r2, %r1, %r17, %pred3    ! selects %r2 (the first): clean
        merge_andd,4 %r2, %r1, %r2, %r18, %pred3   ! src3 & src1
        merge_addd,1 %r1, %r2, %r2, %r19, %pred2   ! src3 + src2
    }
    check %r16, 7, 20
    check %r17, 7, 21
    check %r18, 7, 22
    check %r19, 14, 23
    {
        merged,0,sm %r2, %r3, %r16, %pred2 ! selects D: poisoned
        merged,1,sm %r2, %r2, %r17, %pred1 ! D condition: poisoned
    }
    value %r16, 0x4000000040000007, 24
    tagis %r16, 5, 25
    value %r17, 0x4000000040000007, 26
    tagis %r17, 5, 27
    print msg, 8
    exit 0

    .data
msg:
    .ascii "diag ok\n"
    .align 8
buf:
    .quad 0, 0, 0
