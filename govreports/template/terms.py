"""Chinese vocabulary the layout and table stages need besides the template's labels.

Every CJK string the package matches lives under ``govreports/schema/``; code elsewhere
imports these names, so that a new variant is added in one place.
"""

# Cell texts that print "nothing here": a blank, never a zero.
NULL_MARKERS = frozenset({"/", "\\", "-", "--", "—", "——", "–", "―", "─", "无", "空", "×", "/ /"})

# Page furniture left by PDF-to-text converters: "— 3 —", "- 4 -", "第 3 页", "第3页 共10页", "3/10".
PAGE_MARKER_PATTERNS = (
    r"^[\-—–―─]+\s*\d{1,4}\s*[\-—–―─]+$",
    r"^第\s*\d{1,4}\s*页(\s*[,，/]?\s*共\s*\d{1,4}\s*页)?$",
    r"^共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页$",
    r"^\d{1,4}\s*/\s*\d{1,4}$",
    r"^page\s*\d{1,4}(\s*of\s*\d{1,4})?$",
)

# An item number opening a row or a section label ("二、", "(三)", 表二's "第二十条第(六)项", text
# already folded to ASCII): figures printed right before one end the previous row (a crawler
# stream broken over lines).
ITEM_NUMBER_START = r"[一二三四五六七八九十]+\s*、|\(\s*[一二三四五六七八九十]+\s*\)|第[一二三四五六七八九十]+条"

# A 表三 row label's own item number ("一、", "(三)", "2."): what a header cell never starts with.
ROW_ITEM_NUMBER = ITEM_NUMBER_START + r"|\d{1,2}\s*[.、]"

# Where the template's tables stop: the report's fifth part, "五、存在的主要问题及改进情况".
SECTION_END_PATTERN = r"^\s*[#\s]*五\s*[、.,]\s*.*(问题|改进)"

# Headings of the tables themselves, used to tell a table's region from the body text.
TABLE_HEADINGS = {
    "table2": "主动公开政府信息情况",
    "table3": "收到和处理政府信息公开申请情况",
    "table4": "行政复议",
}

# What the reports are called, for descriptions of the dataset.
REPORT_TITLE_ZH = "政府信息公开工作年度报告"

# Words that tell a text is a disclosure annual report at all.
REPORT_WORDS = ("政府信息公开", "信息公开", "政务公开")

# Units some reports print inside value cells ("12件", "10.5万元"): the number is the value.
VALUE_UNITS = ("件", "亿元", "万元", "元", "项", "个", "条", "次", "人次", "宗")

# Figures the narrative states about applications, checked against table 3 (narrative.py).
# Each pattern's group 1 is the number; the key names the table-3 figure it should equal.
NARRATIVE_PATTERNS = {
    "applications_received": (
        r"(?:收到|受理|接收|新收)[^。;；,，\d]{0,14}?申请[^。;；,，\d]{0,4}?(\d+)\s*(?:件|个|次|份|条)",
        r"(?:收到|受理)依申请公开(?:件|申请)?(\d+)\s*(?:件|个|次|份)",
    ),
}

# Characters OpenCC's t2s rewrites although simplified Chinese keeps them in place names
# (乾安县, 乾县): the conversion to simplified leaves them as printed.
T2S_PROTECTED = frozenset("乾")

# Money units 表二 prints in a header ("金额(单位:万元)") or a cell ("251000元"), and how many of
# the codebook's unit each one is worth, per codebook unit (cells.csv ``unit``). Longest first:
# a cell's unit is matched at its end.
MONEY_UNITS = {"10k_yuan": {"亿元": "10000", "万元": "1", "元": "0.0001"}}

# A money unit named in a header: "(单位:万元)", "单位：元", "(万元)" (text already folded to ASCII).
HEADER_UNIT_PATTERN = r"单位\s*:?\s*(亿元|万元|元)|\(\s*(亿元|万元|元)\s*\)"

# Footnote marks printed right after a figure ("6454①", "12*"): never a digit of the figure.
# Circled and parenthesised numbers, negative circled numbers, superscript digits, asterisks.
FOOTNOTE_MARKS = frozenset(
    [chr(c) for c in range(0x2460, 0x2488)] + [chr(c) for c in range(0x2776, 0x2780)]
    + list("¹²³⁴⁵⁶⁷⁸⁹⁰") + ["*", "※", "＊"]
)

# 表三's column header: where it starts, and the group heading over the five kinds of legal
# persons (the columns' own names are the codebook's column labels, cells.csv).
TABLE3_HEADER_START = "申请人情况"
TABLE3_GROUP_HEADER = "法人或其他组织"
