Attribute VB_Name = "XlperfRibbon"
Option Explicit
' Ribbon callbacks of the xlperf add-in (see addin/ribbon/customUI.xml).
' ASCII only: every Chinese text lives in the ribbon XML or comes from Python.
'
' Each button runs one xlperf action on the active workbook:
'   local mode:  RunPython "import xlperf.excel as x; x.<action>()"
'   server mode: RunServerPython "<XLPERF_SERVER_URL>/xlperf/<action>", auth:=XLPERF_TOKEN
' The mode is the config key XLPERF_MODE (local or server), read like every xlwings setting:
' sheet "xlperf.conf" of the active workbook, then xlperf.conf next to it, then the user file
' (%USERPROFILE%\.xlperf\xlperf.conf on Windows, ~/Library/Containers/com.microsoft.Excel/Data/xlperf.conf on macOS).

Private mRibbon As IRibbonUI

Public Sub XlperfRibbonOnLoad(ribbon As IRibbonUI)
    Set mRibbon = ribbon
End Sub

Public Sub XlperfRecalcAndCheck(control As IRibbonControl)
    XlperfRun "recalc_and_check"
End Sub

Public Sub XlperfClearFlags(control As IRibbonControl)
    XlperfRun "clear_flags"
End Sub

Public Sub XlperfRollup(control As IRibbonControl)
    XlperfRun "rollup"
End Sub

Public Sub XlperfRollupOverwrite(control As IRibbonControl)
    XlperfRun "rollup_overwrite"
End Sub

Public Sub XlperfNewProjectSheet(control As IRibbonControl)
    XlperfRun "new_project_sheet"
End Sub

Public Sub XlperfGenerateReport(control As IRibbonControl)
    XlperfRun "generate_report"
End Sub

Public Sub XlperfAbout(control As IRibbonControl)
    XlperfRun "about"
End Sub

Public Sub XlperfServerModeGetPressed(control As IRibbonControl, ByRef returnedVal)
    returnedVal = XlperfIsServerMode()
End Sub

Public Sub XlperfServerModeToggle(control As IRibbonControl, pressed As Boolean)
    On Error GoTo Failed
    If pressed Then
        SaveConfigToFile GetConfigFilePath(), "XLPERF_MODE", "server"
    Else
        SaveConfigToFile GetConfigFilePath(), "XLPERF_MODE", "local"
    End If
    If Not mRibbon Is Nothing Then mRibbon.InvalidateControl "xlperfServerMode"
    Exit Sub
Failed:
    MsgBox "xlperf: could not save XLPERF_MODE to " & GetConfigFilePath() & vbCrLf & Err.Description, vbCritical, "xlperf"
End Sub

Private Function XlperfIsServerMode() As Boolean
    XlperfIsServerMode = (LCase$(Trim$(CStr(GetConfig("XLPERF_MODE", "local")))) = "server")
End Function

Private Sub XlperfRun(ByVal action As String)
    Dim url As String
    On Error GoTo Failed
    If ActiveWorkbook Is Nothing Then
        MsgBox "xlperf: please open a workbook first.", vbExclamation, "xlperf"
        Exit Sub
    End If
    If XlperfIsServerMode() Then
        url = Trim$(CStr(GetConfig("XLPERF_SERVER_URL", "")))
        If url = "" Then Err.Raise vbObjectError + 1, "xlperf", "XLPERF_SERVER_URL is not set (server mode)."
        Do While Right$(url, 1) = "/"
            url = Left$(url, Len(url) - 1)
        Loop
        RunServerPython url:=url & "/xlperf/" & action, auth:=CStr(GetConfig("XLPERF_TOKEN", ""))
    Else
        RunPython "import xlperf.excel as x; x." & action & "()"
    End If
    Exit Sub
Failed:
    MsgBox "xlperf could not run '" & action & "':" & vbCrLf & Err.Description, vbCritical, "xlperf"
End Sub
