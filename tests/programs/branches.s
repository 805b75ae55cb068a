! Control transfers: ct through %ctpr with every condition kind (predicates, loop
! end, their combinations), ibranch, and not-taken transfers falling through.
    start
    ! case 1: ct (taken)
    {
        rwd,0 0, %lsr
        cmpedb,1 0, 0, %pred0
        disp %ctpr2, target1
    }
    {
        ct %ctpr2
    }
    exit 1
target1:
    ! case 2: ct ? %pred0 (taken)
    {
        rwd,0 0, %lsr
        cmpedb,1 0, 0, %pred0
        disp %ctpr2, target2
    }
    {
        ct %ctpr2 ? %pred0
    }
    exit 2
target2:
    ! case 3: ct ? %pred0 (not taken)
    {
        rwd,0 0, %lsr
        cmpedb,1 0, 1, %pred0
        disp %ctpr2, target3
    }
    {
        ct %ctpr2 ? %pred0
    }
    {
        ibranch next3
    }
target3:
    exit 3
next3:
    ! case 4: ct ? ~%pred0 (taken)
    {
        rwd,0 0, %lsr
        cmpedb,1 0, 1, %pred0
        disp %ctpr2, target4
    }
    {
        ct %ctpr2 ? ~%pred0
    }
    exit 4
target4:
    ! case 5: ct ? ~%pred0 (not taken)
    {
        rwd,0 0, %lsr
        cmpedb,1 0, 0, %pred0
        disp %ctpr2, target5
    }
    {
        ct %ctpr2 ? ~%pred0
    }
    {
        ibranch next5
    }
target5:
    exit 5
next5:
    ! case 6: ct ? %LOOP_END (taken)
    {
        rwd,0 0x2000000001, %lsr
        cmpedb,1 0, 1, %pred0
        disp %ctpr2, target6
    }
    {
        ct %ctpr2 ? %LOOP_END
    }
    exit 6
target6:
    ! case 7: ct ? %LOOP_END (not taken)
    {
        rwd,0 0, %lsr
        cmpedb,1 0, 1, %pred0
        disp %ctpr2, target7
    }
    {
        ct %ctpr2 ? %LOOP_END
    }
    {
        ibranch next7
    }
target7:
    exit 7
next7:
    ! case 8: ct ? %NOT_LOOP_END (taken)
    {
        rwd,0 0, %lsr
        cmpedb,1 0, 1, %pred0
        disp %ctpr2, target8
    }
    {
        ct %ctpr2 ? %NOT_LOOP_END
    }
    exit 8
target8:
    ! case 9: ct ? %NOT_LOOP_END (not taken)
    {
        rwd,0 0x2000000001, %lsr
        cmpedb,1 0, 1, %pred0
        disp %ctpr2, target9
    }
    {
        ct %ctpr2 ? %NOT_LOOP_END
    }
    {
        ibranch next9
    }
target9:
    exit 9
next9:
    ! case 10: ct ? %pred0 || %LOOP_END (taken)
    {
        rwd,0 0x2000000001, %lsr
        cmpedb,1 0, 1, %pred0
        disp %ctpr2, target10
    }
    {
        ct %ctpr2 ? %pred0 || %LOOP_END
    }
    exit 10
target10:
    ! case 11: ct ? %pred0 || %LOOP_END (taken)
    {
        rwd,0 0, %lsr
        cmpedb,1 0, 0, %pred0
        disp %ctpr2, target11
    }
    {
        ct %ctpr2 ? %pred0 || %LOOP_END
    }
    exit 11
target11:
    ! case 12: ct ? %pred0 || %LOOP_END (not taken)
    {
        rwd,0 0, %lsr
        cmpedb,1 0, 1, %pred0
        disp %ctpr2, target12
    }
    {
        ct %ctpr2 ? %pred0 || %LOOP_END
    }
    {
        ibranch next12
    }
target12:
    exit 12
next12:
    ! case 13: ct ? ~%pred0 && %NOT_LOOP_END (taken)
    {
        rwd,0 0, %lsr
        cmpedb,1 0, 1, %pred0
        disp %ctpr2, target13
    }
    {
        ct %ctpr2 ? ~%pred0 && %NOT_LOOP_END
    }
    exit 13
target13:
    ! case 14: ct ? ~%pred0 && %NOT_LOOP_END (not taken)
    {
        rwd,0 0x2000000001, %lsr
        cmpedb,1 0, 1, %pred0
        disp %ctpr2, target14
    }
    {
        ct %ctpr2 ? ~%pred0 && %NOT_LOOP_END
    }
    {
        ibranch next14
    }
target14:
    exit 14
next14:
    ! case 15: ct ? ~%pred0 || %LOOP_END (taken)
    {
        rwd,0 0x2000000001, %lsr
        cmpedb,1 0, 1, %pred0
        disp %ctpr2, target15
    }
    {
        ct %ctpr2 ? ~%pred0 || %LOOP_END
    }
    exit 15
target15:
    ! case 16: ct ? ~%pred0 || %LOOP_END (not taken)
    {
        rwd,0 0, %lsr
        cmpedb,1 0, 0, %pred0
        disp %ctpr2, target16
    }
    {
        ct %ctpr2 ? ~%pred0 || %LOOP_END
    }
    {
        ibranch next16
    }
target16:
    exit 16
next16:
    ! case 17: ct ? %pred0 && %NOT_LOOP_END (taken)
    {
        rwd,0 0, %lsr
        cmpedb,1 0, 0, %pred0
        disp %ctpr2, target17
    }
    {
        ct %ctpr2 ? %pred0 && %NOT_LOOP_END
    }
    exit 17
target17:
    ! case 18: ct ? %pred0 && %NOT_LOOP_END (not taken)
    {
        rwd,0 0x2000000001, %lsr
        cmpedb,1 0, 0, %pred0
        disp %ctpr2, target18
    }
    {
        ct %ctpr2 ? %pred0 && %NOT_LOOP_END
    }
    {
        ibranch next18
    }
target18:
    exit 18
next18:
    ! ibranch on a predicate, both ways
    {
        cmpedb,0 0, 0, %pred1
        cmpedb,1 0, 1, %pred2
    }
    {
        ibranch over1 ? %pred1
    }
    exit 19
over1:
    {
        ibranch bad ? %pred2
    }
    {
        ibranch over2 ? ~%pred2
    }
    exit 20
bad:
    exit 21
over2:
    print msg, 12
    exit 0

    .data
msg:
    .ascii "branches ok\n"
