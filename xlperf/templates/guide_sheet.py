"""The 填表说明 sheet of the department workbook: how to fill, copy and check the forms."""

from __future__ import annotations

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from xlperf.templates.styles import BODY_FONT, HEAD_FONT, LEFT, NO_BORDER, TITLE_FONT, protect, put
from xlperf.vocabulary.sheets import GUIDE_SHEET

# (heading or None, text); no line may read as a form label (the reader looks for 项目名称 …).
LINES: tuple[tuple[bool, str], ...] = (
    (True, "一、本工作簿的组成"),
    (
        False,
        "“汇总表”即部门（单位）项目支出自评汇总表；“项目1”为项目支出绩效自评表，每个项目一张；“参数”为当前适用的评分规则。",
    ),
    (
        False,
        "“参数”表已隐藏，打印整个工作簿时不打印。查看或修改：右键单击任一工作表标签 → 取消隐藏 → 选“参数”（WPS、LibreOffice 同样在工作表标签的右键菜单中）；改完可再隐藏。",
    ),
    (
        False,
        "工作表受保护但没有密码：只能在填写栏中输入，计算栏由公式自动生成。确需修改表样时，可在“审阅 → 撤销工作表保护”后修改。",
    ),
    (True, "二、填写项目自评表"),
    (
        False,
        "1. 每个项目复制一张“项目1”：右键单击工作表标签 → 移动或复制 → 勾选“建立副本”，并将新工作表改名（如项目2、项目3）；装有 xlperf 加载项时，点“绩效自评”选项卡的“新增项目表”即可（复制后填写内容已清空）。",
    ),
    (
        False,
        "2. 填写项目名称、主管部门、实施单位，年初预算数、全年预算数、全年执行数（万元，保留两位小数），年度总体目标及各项绩效指标。",
    ),
    (
        False,
        "3. 执行率、预算执行率得分、分值合计、总分和等次由公式计算，请勿手工填写；执行率计分规则和等次分界见“参数”表。",
    ),
    (
        False,
        "4. 每个二级指标预留 2 行。指标较多时，在该二级指标的第二行上插入整行（右键行号 → 插入），合计公式会自动包含新行。",
    ),
    (False, "5. 得分低于分值时，请在“偏差原因分析及改进措施”栏说明原因。"),
    (True, "三、填写汇总表"),
    (
        False,
        "在汇总表“对应工作表”栏（K 列，不打印）填入各项目自评表的工作表名称，该行的预算数、执行数、执行率、各类指标得分率和自评得分自动取数。",
    ),
    (False, "部门（单位）名称、汇总时间和偏差原因由手工填写。"),
    (True, "四、红色标记的含义"),
    (
        False,
        "项目自评表：得分超过分值或为负；分值合计不等于参数表规定的总分值；一级指标标注的分值与其下指标分值之和不符；",
    ),
    (
        False,
        "全年执行数大于全年预算数；年度资金总额与当年财政拨款、上年结转资金、其他资金之和不符；",
    ),
    (False, "已填三级指标但缺少指标值、完成值、分值或得分；得分低于分值但未说明偏差原因。"),
    (False, "汇总表：执行数大于全年预算数；合计与各行之和不符；“对应工作表”填写的工作表不存在。"),
    (True, "五、修改评分规则"),
    (
        False,
        "各地规则不同时，只需修改“参数”表（先按第一部分所述取消隐藏；年度、预算执行率分值、一级指标分值、执行率计分方式与档次、等次分界等），全部公式随之更新；",
    ),
    (False, "xlperf 检查工具读取同一张参数表，检查结果与表中公式一致。"),
)


def add_guide_sheet(wb: Workbook) -> Worksheet:
    ws = wb.create_sheet(GUIDE_SHEET)
    put(ws, "A1", GUIDE_SHEET, font=TITLE_FONT, border=NO_BORDER)
    ws.row_dimensions[1].height = 36
    for i, (heading, text) in enumerate(LINES, 3):
        put(
            ws,
            f"A{i}",
            text,
            font=HEAD_FONT if heading else BODY_FONT,
            align=LEFT,
            border=NO_BORDER,
        )
        ws.row_dimensions[i].height = 24 if heading else 36
    ws.column_dimensions["A"].width = 120
    ws.sheet_view.showGridLines = False
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_area = f"A1:A{len(LINES) + 2}"
    protect(ws)
    return ws
