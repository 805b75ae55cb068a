! exit: 139
! stderr: return from the outermost procedure
! The entry procedure has no caller to return to.
    start
    {
        return %ctpr3
    }
    {
        ct %ctpr3
    }
