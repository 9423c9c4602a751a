"""Chinese vocabulary the metadata stage matches: titles, dates, agency names, cpca's columns.

Every CJK string :mod:`govreports.parse.metadata` needs lives here, as plain constants or regex
source strings (compiled once by the metadata module). Text reaching these patterns is already
NFKC-normalised and simplified, so brackets and colons are ASCII ``( ) :``.
"""

# --- characters -----------------------------------------------------------------------------

# One CJK character, for building the name patterns below.
HAN = r"\u4e00-\u9fff"

# Digits written as characters in signature dates ("二〇二四年一月二日"); index = value.
CN_DIGITS = "〇一二三四五六七八九"
CN_ZERO_ALT = "零"
CN_TEN = "十"

# --- report titles --------------------------------------------------------------------------

# The phrase every title carries: "政府信息公开工作年度报告", "政务公开年报", "信息公开工作报告"...
REPORT_PHRASE = (
    r"(?:政府信息公开|政务信息公开|政务公开|信息公开)(?:工作)?(?:的)?(?:年度)?(?:工作)?"
    r"(?:报告|年报)"
)

# A statistics year in a title or sentence: "2021年", "2020年度", "2023 年", "二〇二一年".
YEAR_PHRASE = r"(?<!\d)(?P<year>(?:19|20)\d{2}|[〇零一二三四五六七八九]{4})\s*年\s*度?"

# Marks of a running sentence, not a title line.
SENTENCE_MARKS = ("。", ",", ";", "现将", "根据", "如下", "依据")

# Leading junk before a title's agency: markdown, brackets, quotes, "标题:".
TITLE_LEAD_JUNK = r"^[#*>\s\[\]【】《》“”\"'-]*(?:标题:?)?"

# Trailing junk after a title's agency, once the year and report phrase are cut off.
NAME_TRAIL_JUNK = r"(?:关于|的|度|[《》“”\"'\s])+$"

# A parenthesised remark after a name: "连山区人民政府(文字版)".
TRAILING_REMARK = r"\([^()]*\)$"

# "A关于印发B..." in a title: the report is B's; "B关于..." is B's.
ABOUT = r"关于(?:印发|发布|公布|公开)?"

# "现将湘阴县人民政府2023年政府信息公开工作年度报告如下": a report naming itself in its body.
SELF_REFERENCE = (
    rf"(?:现将|现予公布|现予发布|特将|现公布|现发布|特发布|特公布)(?P<name>[{HAN}()]{{0,40}}?)\s*"
    + YEAR_PHRASE
    + r"\s*"
    + REPORT_PHRASE
)

# --- agency names ---------------------------------------------------------------------------

# Last characters of an agency's name: 人民政府, 局, 委员会, 办公室, 中心, 海关, 镇, 县...
AGENCY_END_CHARS = "府室厅局委办院所心会处站队馆部署社司行团组镇乡道区县市省旗州盟园场关学校台厂狱科"

# A whole line or fragment that can be a name at all (CJK and brackets only).
AGENCY_NAME = rf"^[{HAN}()]{{2,40}}$"

# Phrases that make a line a heading, a web page's furniture or a remark, never an agency name.
NOT_AGENCY_WORDS = ("年度报告", "事项", "情况", "来源", "网站", "门户", "首页", "位置", "栏目")

# What a place alone becomes as an agency: "葫芦岛市连山区" -> "葫芦岛市连山区人民政府".
GOVERNMENT = "人民政府"
# ... and a street (subdistrict) alone: "XX街道" -> "XX街道办事处".
SUBDISTRICT = "街道"
SUBDISTRICT_OFFICE = "办事处"
# "XX县人民" left when a title shares 政府 with 政府信息公开: "XX县人民政府信息公开工作年度报告".
PEOPLES = "人民"
GOVERNMENT_TAIL = "政府"

# What follows the place in a government's own name (or its general office reporting for it).
GOVERNMENT_REST = r"^(?:人民)?政府(?:办公室|办公厅|办)?$|^行政公署(?:办公室)?$"

# The same, tested on a whole name whose place cpca could not find.
GOVERNMENT_NAME_END = (
    r"(?:人民政府|行政公署)(?:办公室|办公厅)?$|[镇乡](?:人民)?政府$|街道办事处$|苏木(?:人民)?政府$"
)

# A township-level body after its county: "东塘镇人民政府", "城关街道办事处", "XX苏木", "XX乡".
TOWNSHIP_REST = (
    rf"^(?P<town>[{HAN}]{{1,10}}?(?:民族乡|镇|乡|街道|苏木))"
    r"(?:人民政府|政府|办事处|人民政府办公室|党政办公室)?$"
)
# Town names never contain these (so "住房和城乡" is not a town).
NOT_TOWN_CHARS = "和与及"

# An internal unit that drafted the report for its body: the report is about the body, so the
# unit is cut ("常德市行政审批服务局政务公开领导小组办公室" -> "常德市行政审批服务局").
SUB_UNIT_SUFFIX = (
    r"(?<=[局厅委院会心])(?:政务公开|政府信息公开|信息公开)?(?:工作)?(?:领导小组)?"
    r"(?:办公室|综合科|法规科|办)$"
)

# --- agency named in the body ---------------------------------------------------------------

# A government's general office compiling its report ("由XX县人民政府办公室编制"): cut to the government.
GOVERNMENT_OFFICE_SUFFIX = r"(?<=人民政府)(?:办公室|办公厅)$"

# "本报告由常德市行政审批服务局政务公开领导小组办公室编制".
COMPILED_BY = (
    rf"由(?P<name>[{HAN}()]{{4,40}}?)(?:负责|牵头|组织)?"
    r"(?:(?:根据|依据|按照)[^。;\n]{0,60}?)?(?:编制|编写|制作|起草|汇总|编撰)"
)

# "松原市政务服务和数字化建设管理局:电话:0438-2875013" at the start of a sentence.
CONTACT_LINE = rf"(?:^|[。;!?\n])\s*(?P<name>[{HAN}()]{{4,40}}?)\s*:?\s*(?:联系)?(?:电话|联系方式)"

# "如对本报告有疑问,请与XX联系".
ENQUIRY = rf"请与(?P<name>[{HAN}()]{{4,40}}?)(?:联系|联络)"

# --- statistics period ----------------------------------------------------------------------

# "所列数据始于2023年01月01日,截止日期为2023年12月31日", "自2020年1月1日起至12月31日止",
# and OCR's "自20231月1日起" (年 lost).
STATISTICS_PERIOD = (
    r"(?<!\d)(?P<year>(?:19|20)\d{2})\s*年?\s*0?1\s*月\s*0?1\s*日?[^。;\n]{0,20}?"
    r"(?:至|到|止|截止|截至|—|-|~)[^。;\n]{0,12}?12\s*月\s*31\s*日"
)

# "统计期限为2023年度".
STATISTICS_YEAR = r"统计(?:期限|时间|区间|周期|范围)(?:为|是|自|从)?\s*(?P<year>(?:19|20)\d{2})\s*年\s*度"

# --- dates ------------------------------------------------------------------------------------

# "2024-01-01", "2024/1/1", "2024.01.01", "2024年1月2日".
NUMERIC_DATE = r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?!\d)\s*日?"

# "二〇二四年一月二日".
CHINESE_DATE = (
    r"(?P<y>[〇零一二三四五六七八九]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,2})\s*月"
    r"\s*(?P<d>[一二三四五六七八九十]{1,3})\s*日"
)

# Labels of a publication date: "时间"/"日期" after one of the prefixes, or "日期" alone;
# 归档时间 (archiving), 更新时间 and a bare 时间 are not publication.
PUBLISHED_LABEL = r"(?:时间|日期)\s*:?\s*"
PUBLISHED_PREFIXES = ("发布", "公开", "发文", "成文", "印发", "发表")
BARE_DATE_LABEL = "日期"

# What may follow a date that opens a head line: "2021-01-29 16:51 来源:...".
DATE_LINE_FOLLOWERS = r"\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?\s*(?:$|来源|浏览|作者|字号|发布|点击)"

# --- places (cpca) ----------------------------------------------------------------------------

# Keys of cpca's records read here: the text after the place, where the province and the
# prefecture were found in the name (-1: not written).
CPCA_REST = "地址"
CPCA_PROVINCE_POS = "省_pos"
CPCA_PREFECTURE_POS = "市_pos"
CPCA_COUNTY_POS = "区_pos"

# A province whose name ends so is a municipality (北京市...): its districts are county-level
# and the municipality is their prefecture too.
MUNICIPALITY_END = "市"

# Suffixes cpca itself drops to make short names ("常德市" -> "常德"): the same rule here.
ADMIN_SUFFIX = r"(?:省|市|特别行政区|自治区)$"

# A token that looks like a place name (for OCR correction): up to its first place suffix.
PLACE_TOKEN = rf"^(?P<token>[{HAN}]{{1,11}}?[省市县区旗州盟])"

# Tokens ending like a place that are areas, not administrative divisions.
NOT_PLACE_ENDS = (
    "开发区", "高新区", "园区", "示范区", "试验区", "实验区", "保税区", "新区", "景区", "社区",
    "辖区", "城区", "片区", "管理区", "全市", "全县", "全区", "全省", "本市", "本县", "本区",
    "我市", "我县", "我区", "我省",
)

# Prefixes before the place in some names: "中共湘阴县委", "国家税务总局湘阴县税务局".
ORG_PREFIXES = ("中国共产党", "中共", "共青团", "国家税务总局")

# Leading character of a name without a place ("市行政审批服务局") and the rank it implies
# (0 province, 1 prefecture, 2 county).
RANK_BY_LEAD = (("省", 0), ("市", 1), ("县", 2), ("区", 2), ("旗", 2))

# --- cheap pre-checks (a pattern runs only if one of its words is in the text) -------------

TITLE_KEYS = ("报告", "年报")
SELF_REFERENCE_KEYS = ("现将", "现予", "特将", "现公布", "现发布", "特发布", "特公布")
COMPILED_BY_KEYS = ("编制", "编写", "制作", "起草", "汇总", "编撰")
CONTACT_KEYS = ("电话", "联系方式")
ENQUIRY_KEYS = ("请与",)
PUBLISHER_KEYS = ("发布机构", "发文机关", "发布单位")
DATE_END_CHARS = "日0123456789"

# "发布机构: 湘阴县人民政府" in a web page's header.
PUBLISHER = rf"(?:发布机构|发文机关|发布单位)\s*:\s*(?P<name>[{HAN}()]{{4,40}})"
PUBLISHED_KEYS = ("时间", "日期")

# --- short forms, development zones, OCR ------------------------------------------------------

# CSVs beside this module: the usual short forms of department names (科委 -> 科学技术委员会),
# and the stroke order of common characters (1 横 2 竖 3 撇 4 点 5 折) for OCR corrections.
SHORT_FORMS_CSV = "agency_short_forms.csv"
STROKE_ORDERS_CSV = "stroke_orders.csv"
# Divisions newer than cpca's table (坪山区 2016, 临平区 2021, 宁乡市 430182), by 6-digit code.
NEWER_DIVISIONS_CSV = "divisions_newer.csv"

# A short form may end a name after a place or area ("XX镇政府", "XX实验区管委会") as well as
# follow its place directly.
SHORT_FORM_AFTER = "区县市镇乡旗"

# Where a narrative spells a short form out: the characters a full name's unit ends with.
FULL_NAME_ENDS = ("委员会", "办公室", "办公厅", "联合会", "管理局", "局", "厅", "中心", "政府")

# Development zones and similar areas that are no administrative division: "平潭综合实验区",
# "XX经济技术开发区", "XX高新区", "XX新区". A zone whose name starts with a division's own name
# (平潭 -> 平潭县) is hosted by that division.
ZONE_SUFFIX = (
    r"(?:综合实验区|综合试验区|经济技术开发区|经济开发区|高新技术产业开发区|高新技术开发区|高新区|"
    r"经开区|开发区|工业园区|产业园区|园区|示范区|综合保税区|保税区|自由贸易试验区|新区|试验区|"
    r"实验区|合作区|度假区|管理区)"
)
ZONE = rf"^(?P<stem>[{HAN}]{{2,8}}?)(?P<zone>{ZONE_SUFFIX})"

# What follows the place in the name of a zone's administrative committee (the zone's
# government): "工业园区", "松山湖高新区管委会", "综合实验区管理委员会".
ZONE_GOVERNMENT_REST = (
    rf"^[{HAN}]{{0,8}}?{ZONE_SUFFIX}(?:管委会|管理委员会|党工委管委会|党工委管理委员会)?(?:办公室|党政办公室)?$"
)

# Division suffixes dropped to make a zone's stem ("平潭县" -> "平潭").
DIVISION_SUFFIXES = "省市县区旗"
