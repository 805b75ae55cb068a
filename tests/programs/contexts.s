! User contexts as the E2K kernel provides them: makecontext gives a function its
! own hardware stacks on a data stack of the program's; swapcontext switches between
! contexts both ways, each resuming after its own call with its window intact; the
! function's return goes on to uc_link; getcontext (fast system call 4, the chain
! registers stored by the caller as glibc does) and setcontext within one context
! act as setjmp/longjmp; freecontext forgets a context; errors as the kernel's.
! A context whose function returns without uc_link ends the thread (exit 0).
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    {
        addd,0 0, 0x5555, %r5          ! must survive every switch
        addd,1 0, uc_co, %r6
    }
    {
        addd,2 0, costack, %r7
    }
    {
        std,2 %r6, 16, %r7             ! uc_stack.ss_sp
        addd,0 0, 8192, %r8
        addd,1 0, uc_main, %r9
    }
    {
        std,2 %r6, 32, %r8             ! uc_stack.ss_size
        std,5 %r6, 8, %r9              ! uc_link = uc_main
    }
    sys 370, uc_co, co_func, 16, coargs, 8     ! makecontext
    check %r24, 0, 20
    sys 371, uc_main, uc_co, 8                 ! swapcontext: co_func runs
    check %r24, 0, 21
    check %r5, 0x5555, 22
    print m_main1, 7
    sys 371, uc_main, uc_co2, 8                ! back into co_func
    check %r24, 0, 23
    check %r5, 0x5555, 24
    print m_main2, 7                           ! co_func returned: uc_link

    ! Errors: a sigset size other than 8, an unknown context, a busy one.
    sys 371, uc_main, uc_co2, 4
    check %r24, -22, 25
    sys 371, uc_main, uc_bad, 8
    check %r24, -3, 26
    sys 371, uc_bad, uc_main, 8                ! uc_main is this context: busy
    check %r24, -16, 27
    sys 372, uc_co                             ! freecontext
    check %r24, 0, 28
    sys 372, uc_co
    check %r24, -2, 29
    sys 372, uc_main                           ! the running context
    check %r24, -16, 30

    ! getcontext / setcontext within this context: getcontext returns twice.
    {
        addd,0 0, uc_get, %r24
        disp %ctpr1, getctx
    }
    {
        call %ctpr1, wbs = 0xc
    }
    {
        addd,0 0, %r24, %r20
        addd,1 0, count, %r6
    }
    {
        ldd,0 %r6, 0, %r7
    }
    {
        addd,0 %r7, 1, %r7
    }
    {
        std,2 %r6, 0, %r7
    }
    check %r20, 0, 31
    check %r5, 0x5555, 32
    {
        cmpedb,0 %r7, 2, %pred1
        disp %ctpr2, got_twice
    }
    {
        ct %ctpr2 ? %pred1
    }
    {
        addd,0 0, uc_get, %r24
        disp %ctpr1, setctx
    }
    {
        call %ctpr1, wbs = 0xc                 ! back to getctx's return
    }
    exit 33
got_twice:
    print m_get, 13

    ! Last: a context whose function returns with no uc_link ends the thread.
    {
        addd,0 0, uc_last, %r6
        addd,1 0, costack2, %r7
    }
    {
        addd,2 0, 4096, %r8
    }
    {
        std,2 %r6, 16, %r7
        std,5 %r6, 32, %r8
    }
    sys 370, uc_last, last_func, 0, 0, 8
    check %r24, 0, 34
    sys 369, uc_last, 8
    exit 35

! co_func(a, b): checks its arguments, switches back once, then returns.
co_func:
    {
        setwd wsz = 0x10, nfx = 1
    }
    check %r0, 11, 40
    check %r1, 22, 41
    {
        addd,0 0, 0x7777, %r5
    }
    print m_co1, 5
    sys 371, uc_co2, uc_main, 8
    check %r24, 0, 42
    check %r5, 0x7777, 43
    check %r0, 11, 44
    print m_co2, 5
    {
        return %ctpr3
    }
    {
        ct %ctpr3
    }

last_func:
    {
        setwd wsz = 0x10, nfx = 1
    }
    print m_last, 5
    {
        return %ctpr3
    }
    {
        ct %ctpr3
    }

! getctx(ucp): the chain registers of its own frame into uc_mcontext (cr0.hi,
! cr1.lo, cr1.hi), then the fast getcontext for the rest; returns its result.
getctx:
    {
        setwd wsz = 0x8, nfx = 1
        rrd,0 %cr0.hi, %r1
    }
    {
        rrd,0 %cr1.lo, %r2
    }
    {
        rrd,0 %cr1.hi, %r3
    }
    {
        std,2 %r0, 48, %r1
        std,5 %r0, 56, %r2
    }
    {
        std,2 %r0, 64, %r3
        sdisp %ctpr1, 0x6
    }
    {
        addd,0 0, 4, %r4
        addd,1 0, %r0, %r5
        addd,2 0, 8, %r6
    }
    {
        call %ctpr1, wbs = 0x2
    }
    {
        addd,0 0, %r4, %r0
        return %ctpr3
    }
    {
        ct %ctpr3
    }

! setctx(ucp): setcontext, as glibc's wrapper makes it.
setctx:
    {
        setwd wsz = 0x8, nfx = 1
        sdisp %ctpr1, 0x3
    }
    {
        addd,0 0, 369, %r4
        addd,1 0, %r0, %r5
        addd,2 0, 8, %r6
    }
    {
        call %ctpr1, wbs = 0x2
    }
    {
        addd,0 0, %r4, %r0
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .data
m_co1:
    .ascii "co 1\n"
m_co2:
    .ascii "co 2\n"
m_main1:
    .ascii "main 1\n"
m_main2:
    .ascii "main 2\n"
m_get:
    .ascii "getcontext 2\n"
m_last:
    .ascii "last\n"
    .balign 8
coargs:
    .quad 11, 22
    .bss
    .balign 16
uc_main:
    .skip 1808
uc_co:
    .skip 1808
uc_co2:
    .skip 1808
uc_get:
    .skip 1808
uc_last:
    .skip 1808
uc_bad:
    .skip 1808
count:
    .skip 8
costack:
    .skip 8192
costack2:
    .skip 4096
