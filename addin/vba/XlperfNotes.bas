Attribute VB_Name = "XlperfNotes"
Option Explicit
Private Const JOURNAL_SHEET As String = "xlperf_journal"
' Flags, cell notes (legacy comments) and sheet copies: what the xlwings VBA client cannot do.
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
            If Not (.Comment Is Nothing) Then .Comment.Delete
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
                If Not (.Comment Is Nothing) Then .Comment.Delete
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

Public Sub XlperfClearRange(ByVal wb As Variant, ByVal sheet As Variant, ByVal address As Variant)
    ' Empties a range before xlperf rewrites it (a summary table written afresh): merged cells in it are
    ' unmerged, values and notes removed, formats kept, as xlperf's file front empties it.
    With XlperfSheet(wb, sheet).Range(CStr(address))
        .UnMerge
        .ClearContents
        .ClearComments
    End With
End Sub

Public Sub XlperfLayout(ByVal wb As Variant, ByVal sheet As Variant, ByVal payload As Variant)
    ' The layout the xlwings VBA client cannot set, in one call. payload holds records joined by
    ' Chr(30), fields by Chr(31); the first field says what: M range (merge), W column width (as
    ' the file saves it: ColumnWidth is that less the cell padding),
    ' H row height, F range name size bold colour underline (font), A range horizontal vertical
    ' wrap indent (alignment), B range (thin borders), T range (autofilter), P landscape
    ' fit-width title-rows print-grid centre footer left right top bottom (A4 page setup).
    ' An empty field leaves that setting as it is.
    Dim sht As Worksheet, records() As String, f() As String, i As Long, k As Long, pad As Double
    Set sht = XlperfSheet(wb, sheet)
    If Trim$(CStr(payload)) = "" Then Exit Sub
    pad = -1
    records = Split(XlperfText(CStr(payload)), Chr(30))
    For i = LBound(records) To UBound(records)
        f = Split(records(i), Chr(31))
        Select Case f(0)
        Case "M"
            sht.Range(f(1)).Merge
        Case "W"
            If pad < 0 Then pad = XlperfPadding(sht.Columns(CLng(f(1))))
            sht.Columns(CLng(f(1))).ColumnWidth = Val(f(2)) - pad
        Case "H"
            sht.Rows(CLng(f(1))).RowHeight = Val(f(2))
        Case "F"
            With sht.Range(f(1)).Font
                If f(2) <> "" Then .Name = f(2)
                If f(3) <> "" Then .Size = Val(f(3))
                .Bold = (f(4) = "1")
                If f(5) <> "" Then .Color = XlperfRgb(f(5))
                If f(6) = "1" Then .Underline = xlUnderlineStyleSingle
            End With
        Case "A"
            With sht.Range(f(1))
                If f(2) = "left" Then .HorizontalAlignment = xlLeft
                If f(2) = "center" Then .HorizontalAlignment = xlCenter
                If f(2) = "right" Then .HorizontalAlignment = xlRight
                If f(3) = "top" Then .VerticalAlignment = xlTop
                If f(3) = "center" Then .VerticalAlignment = xlCenter
                .WrapText = (f(4) = "1")
                If Val(f(5)) > 0 Then .IndentLevel = CLng(f(5))
            End With
        Case "B"
            With sht.Range(f(1)).Borders
                .LineStyle = xlContinuous
                .Weight = xlThin
                .Color = RGB(0, 0, 0)
            End With
        Case "T"
            sht.Range(f(1)).AutoFilter
        Case "P"
            With sht.PageSetup
                .PaperSize = xlPaperA4
                If f(1) = "1" Then .Orientation = xlLandscape Else .Orientation = xlPortrait
                If f(2) = "1" Then
                    .Zoom = False
                    .FitToPagesWide = 1
                    .FitToPagesTall = False
                End If
                If f(3) <> "" Then .PrintTitleRows = f(3)
                .PrintGridlines = (f(4) = "1")
                .CenterHorizontally = (f(5) = "1")
                If f(6) <> "" Then .CenterFooter = f(6)
                For k = 7 To 10
                    If f(k) <> "" Then
                        Select Case k
                        Case 7: .LeftMargin = Application.InchesToPoints(Val(f(k)))
                        Case 8: .RightMargin = Application.InchesToPoints(Val(f(k)))
                        Case 9: .TopMargin = Application.InchesToPoints(Val(f(k)))
                        Case 10: .BottomMargin = Application.InchesToPoints(Val(f(k)))
                        End Select
                    End If
                Next k
            End With
        End Select
    Next i
End Sub

Public Sub XlperfMark(ByVal wb As Variant, ByVal payload As Variant, Optional ByVal separator As Variant)
    ' Flags cells in one call: payload holds records joined by Chr(30), each
    ' sheet Chr(31) address Chr(31) RRGGBB Chr(31) note. Before changing a cell it appends what the
    ' cell had (fill colour, note) to the very hidden journal sheet, columns B:G, so that
    ' XlperfUnmark and xlperf's Python side can restore it exactly. A cell's own note is kept
    ' below ours, after separator.
    Dim book As Workbook, js As Worksheet, records() As String, fields() As String
    Dim i As Long, r As Long, noteText As String, sep As String
    If Trim$(CStr(payload)) = "" Then Exit Sub
    Set book = XlperfBook(wb)
    Set js = XlperfJournal(book)
    If Not IsMissing(separator) Then sep = XlperfText(CStr(separator))
    records = Split(XlperfText(CStr(payload)), Chr(30))
    r = XlperfLastRow(js, 2) + 1
    For i = LBound(records) To UBound(records)
        fields = Split(records(i), Chr(31))
        With book.Worksheets(fields(0)).Range(fields(1))
            js.Cells(r, 2).Value = fields(0)
            js.Cells(r, 3).Value = fields(1)
            js.Cells(r, 4).Value = XlperfColorHex(.Interior)
            noteText = fields(3)
            If .Comment Is Nothing Then
                js.Cells(r, 5).Value = "0"
            Else
                js.Cells(r, 5).Value = "1"
                js.Cells(r, 6).Value = .Comment.Text
                noteText = noteText & sep & .Comment.Text
                .Comment.Delete
            End If
            .Interior.Color = XlperfRgb(fields(2))
            .AddComment noteText
        End With
        r = r + 1
    Next i
End Sub

Public Sub XlperfUnmark(ByVal wb As Variant)
    ' Restores every cell listed in the journal sheet's columns B:G (last first), puts General
    ' back on the cells listed in H:I (XlperfFormats), and empties those columns.
    Dim book As Workbook, js As Worksheet, sht As Worksheet, r As Long, colour As String
    Set book = XlperfBook(wb)
    On Error Resume Next
    Set js = book.Worksheets(JOURNAL_SHEET)
    On Error GoTo 0
    If js Is Nothing Then Exit Sub
    For r = XlperfLastRow(js, 2) To 2 Step -1
        If js.Cells(r, 2).Text <> "" Then
            Set sht = Nothing
            On Error Resume Next
            Set sht = book.Worksheets(js.Cells(r, 2).Text)
            On Error GoTo 0
            If Not sht Is Nothing Then
                With sht.Range(js.Cells(r, 3).Text)
                    colour = js.Cells(r, 4).Text
                    If colour = "" Then
                        .Interior.ColorIndex = xlColorIndexNone
                    Else
                        .Interior.Color = XlperfRgb(colour)
                    End If
                    If Not (.Comment Is Nothing) Then .Comment.Delete
                    If js.Cells(r, 5).Text = "1" Then .AddComment js.Cells(r, 6).Text
                End With
            End If
            js.Range(js.Cells(r, 2), js.Cells(r, 7)).ClearContents
        End If
    Next r
    For r = XlperfLastRow(js, 8) To 2 Step -1
        If js.Cells(r, 8).Text <> "" Then
            Set sht = Nothing
            On Error Resume Next
            Set sht = book.Worksheets(js.Cells(r, 8).Text)
            On Error GoTo 0
            If Not sht Is Nothing Then sht.Range(js.Cells(r, 9).Text).NumberFormat = "General"
            js.Range(js.Cells(r, 8), js.Cells(r, 9)).ClearContents
        End If
    Next r
End Sub

Public Sub XlperfFormats(ByVal wb As Variant, ByVal payload As Variant)
    ' Number formats of the computed values xlperf filled in, in one call: payload holds
    ' records joined by Chr(30), each sheet Chr(31) range Chr(31) format. A cell gets the format
    ' only where its own is General, as xlperf's file front does; each cell changed is listed in
    ' the journal sheet's columns H:I (sheet, address), if the workbook has the journal, so that
    ' XlperfUnmark puts General back.
    Dim book As Workbook, js As Worksheet, records() As String, fields() As String
    Dim i As Long, r As Long, c As Range
    If Trim$(CStr(payload)) = "" Then Exit Sub
    Set book = XlperfBook(wb)
    On Error Resume Next
    Set js = book.Worksheets(JOURNAL_SHEET)
    On Error GoTo 0
    If Not js Is Nothing Then
        js.Range("H:I").NumberFormat = "@"
        r = XlperfLastRow(js, 8) + 1
    End If
    records = Split(XlperfText(CStr(payload)), Chr(30))
    For i = LBound(records) To UBound(records)
        fields = Split(records(i), Chr(31))
        For Each c In book.Worksheets(fields(0)).Range(fields(1)).Cells
            If c.NumberFormat = "General" Then
                c.NumberFormat = fields(2)
                If Not js Is Nothing Then
                    js.Cells(r, 8).Value = fields(0)
                    js.Cells(r, 9).Value = c.Address(False, False)
                    r = r + 1
                End If
            End If
        Next c
    Next i
End Sub

Public Sub XlperfCopySheet(ByVal wb As Variant, ByVal source As Variant, ByVal newName As Variant, ByVal inputs As Variant)
    ' New project sheet: copies a template sheet right after itself under newName (formats,
    ' validation, protection and sheet-scoped names come along) and empties the copy's input
    ' ranges, given as comma-separated addresses; formula cells in them are kept.
    Dim book As Workbook, src As Worksheet, sht As Worksheet, part As Variant, c As Range
    Set book = XlperfBook(wb)
    Set src = book.Worksheets(XlperfText(CStr(source)))
    src.Copy After:=src
    Set sht = book.Sheets(src.Index + 1)
    sht.Name = XlperfText(CStr(newName))
    If Trim$(CStr(inputs)) = "" Then Exit Sub
    For Each part In Split(CStr(inputs), ",")
        For Each c In sht.Range(Trim$(part)).Cells
            If Not c.HasFormula Then c.MergeArea.ClearContents
        Next c
    Next part
End Sub

Private Function XlperfBook(ByVal wb As Variant) As Workbook
    If IsObject(wb) Then
        Set XlperfBook = wb
    ElseIf CStr(wb) = "" Then
        Set XlperfBook = ActiveWorkbook
    Else
        Set XlperfBook = Workbooks(XlperfText(CStr(wb)))
    End If
End Function

Private Function XlperfJournal(ByVal book As Workbook) As Worksheet
    Dim js As Worksheet
    On Error Resume Next
    Set js = book.Worksheets(JOURNAL_SHEET)
    On Error GoTo 0
    If js Is Nothing Then
        Set js = book.Worksheets.Add(After:=book.Worksheets(book.Worksheets.Count))
        js.Name = JOURNAL_SHEET
    End If
    js.Range("B:G").NumberFormat = "@"
    js.Visible = xlSheetVeryHidden
    Set XlperfJournal = js
End Function

Private Function XlperfLastRow(ByVal js As Worksheet, ByVal col As Long) As Long
    ' The journal's last row with something in column col, 1 if none: what
    ' Cells(Rows.Count, col).End(xlUp).Row gives in Excel. LibreOffice runs End() through the
    ' active sheet's view, and a (very) hidden sheet is never the active one.
    Dim r As Long
    r = js.UsedRange.Row + js.UsedRange.Rows.Count - 1
    Do While r > 1 And IsEmpty(js.Cells(r, col).Value)
        r = r - 1
    Loop
    XlperfLastRow = r
End Function

Private Function XlperfColorHex(ByVal fill As Interior) As String
    ' A solid fill as RRGGBB; "" for no fill. Not by .Pattern: LibreOffice answers xlNone for a
    ' fill it loaded from the file (Excel's ColorIndex is xlColorIndexNone whenever Pattern is).
    Dim c As Long
    If fill.ColorIndex = xlColorIndexNone Then
        XlperfColorHex = ""
        Exit Function
    End If
    c = fill.Color
    XlperfColorHex = Right$("0" & Hex$(c Mod 256), 2) & Right$("0" & Hex$((c \ 256) Mod 256), 2) & Right$("0" & Hex$(c \ 65536), 2)
End Function

Private Function XlperfPadding(ByVal col As Range) As Double
    ' The cell padding, in characters, that a saved column width holds beside ColumnWidth (5 px
    ' of a 7 px digit for Calibri 11): W gives the width as saved, as xlperf's file front writes
    ' it. Measured on col from two widths (its width is set again afterwards).
    Dim one As Double
    col.ColumnWidth = 1
    one = col.Width
    col.ColumnWidth = 2
    XlperfPadding = one / (col.Width - one) - 1
End Function

Private Function XlperfRgb(ByVal colour As String) As Long
    XlperfRgb = RGB(CLng("&H" & Mid$(colour, 1, 2)), CLng("&H" & Mid$(colour, 3, 2)), CLng("&H" & Mid$(colour, 5, 2)))
End Function

Private Function XlperfSheet(ByVal wb As Variant, ByVal sheet As Variant) As Worksheet
    Dim book As Workbook
    Set book = XlperfBook(wb)
    If VarType(sheet) = vbString Then
        Set XlperfSheet = book.Worksheets(XlperfText(CStr(sheet)))
    Else
        Set XlperfSheet = book.Worksheets(CLng(sheet) + 1)
    End If
End Function

Private Function XlperfText(ByVal s As String) As String
    ' The xlwings VBA client on macOS reads the server's UTF-8 text byte by byte (see setValues).
    ' Tested at run time, not with #If Mac: LibreOffice's Basic ignores #If and runs every branch.
    If Application.OperatingSystem Like "Mac*" Then
        XlperfText = Utf8ToUtf16(s)
    Else
        XlperfText = s
    End If
End Function
