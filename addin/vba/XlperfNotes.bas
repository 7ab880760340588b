Attribute VB_Name = "XlperfNotes"
Option Explicit
' Cell notes (legacy comments) for the xlperf server, which the xlwings VBA client cannot set.
' The server calls them through xlwings' runMacro action, e.g. in Python:
'   book.macro("XlperfSetNotes")(sheet, "B5,H7", chr(30).join(texts))
'   book.macro("XlperfClearNotes")(sheet, "", prefix)
' runMacro passes the workbook first; sheet is a sheet name or a 0-based sheet index.
' Local mode does not need these: there xlwings' Range.note sets notes directly.

Public Sub XlperfSetNotes(ByVal wb As Variant, ByVal sheet As Variant, ByVal addresses As Variant, ByVal texts As Variant)
    ' Replaces the note of each cell in the comma-separated addresses by the matching text
    ' (texts joined by Chr(30)).
    Dim sht As Worksheet, cellList() As String, noteList() As String, i As Long
    Set sht = XlperfSheet(wb, sheet)
    If Trim$(CStr(addresses)) = "" Then Exit Sub
    cellList = Split(CStr(addresses), ",")
    noteList = Split(CStr(texts), Chr(30))
    If UBound(noteList) <> UBound(cellList) Then
        Err.Raise vbObjectError + 513, "XlperfSetNotes", "addresses and texts differ in count"
    End If
    For i = LBound(cellList) To UBound(cellList)
        With sht.Range(Trim$(cellList(i)))
            If Not .Comment Is Nothing Then .Comment.Delete
            .AddComment XlperfText(noteList(i))
        End With
    Next i
End Sub

Public Sub XlperfClearNotes(ByVal wb As Variant, ByVal sheet As Variant, ByVal addresses As Variant, Optional ByVal prefix As Variant)
    ' Deletes the notes of the comma-separated addresses; with no addresses, every note of the
    ' sheet whose text starts with prefix (every note if prefix is empty or missing).
    Dim sht As Worksheet, cellList() As String, i As Long, start As String, cmt As Comment
    Set sht = XlperfSheet(wb, sheet)
    If Trim$(CStr(addresses)) <> "" Then
        cellList = Split(CStr(addresses), ",")
        For i = LBound(cellList) To UBound(cellList)
            With sht.Range(Trim$(cellList(i)))
                If Not .Comment Is Nothing Then .Comment.Delete
            End With
        Next i
        Exit Sub
    End If
    If Not IsMissing(prefix) Then start = XlperfText(CStr(prefix))
    For i = sht.Comments.Count To 1 Step -1
        Set cmt = sht.Comments(i)
        If Left$(cmt.Text, Len(start)) = start Then cmt.Delete
    Next i
End Sub

Private Function XlperfSheet(ByVal wb As Variant, ByVal sheet As Variant) As Worksheet
    Dim book As Workbook
    If IsObject(wb) Then
        Set book = wb
    ElseIf CStr(wb) = "" Then
        Set book = ActiveWorkbook
    Else
        Set book = Workbooks(XlperfText(CStr(wb)))
    End If
    If VarType(sheet) = vbString Then
        Set XlperfSheet = book.Worksheets(XlperfText(CStr(sheet)))
    Else
        Set XlperfSheet = book.Worksheets(CLng(sheet) + 1)
    End If
End Function

Private Function XlperfText(ByVal s As String) As String
    ' The xlwings VBA client on macOS reads the server's UTF-8 text byte by byte (see setValues).
    #If Mac Then
        XlperfText = Utf8ToUtf16(s)
    #Else
        XlperfText = s
    #End If
End Function
