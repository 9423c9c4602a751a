"""Chinese vocabulary the synthetic corpus generator (:mod:`govreports.synth`) prints.

Every CJK string the generator needs lives here, as the rest of the package keeps its
vocabulary under ``govreports/schema/``: the tables' printed headers, report furniture
(titles, section headings, body sentences, dates), agency names (government forms and
department names per level), township name stems, and the look-alike characters used to
garble labels the way OCR does.
"""

# --- the tables' printed headers (as the national template lays them out) -------------------

TABLE3_HEADER = ["申请人情况", "自然人", "法人或其他组织", "总计", "商业企业", "科研机构", "社会公益组织",
                 "法律服务机构", "其他"]
TABLE4_HEADER = ["行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉",
                 "复议后起诉"] + ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2
TABLE2_HEADERS = {
    "2021": {"rules": ("第二十条第(一)项", ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]),
             "licensing": ("第二十条第(五)项", ["信息内容", "本年处理决定数量"]),
             "penalty": ("第二十条第(六)项", ["信息内容", "本年处理决定数量"]),
             "fees": ("第二十条第(八)项", ["信息内容", "本年收费金额(单位:万元)"])},
    "2019": {"rules": ("第二十条第(一)项", ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"]),
             "licensing": ("第二十条第(五)项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"]),
             "penalty": ("第二十条第(六)项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"]),
             "fees": ("第二十条第(八)项", ["信息内容", "上一年项目数量", "本年增/减"]),
             "procurement": ("第二十条第(九)项", ["信息内容", "采购项目数量", "采购总金额"])},
}
# How 表二 prints the normative documents row in each template.
NORMATIVE_LABELS = {"2021": "行政规范性文件", "2019": "规范性文件"}
TABLE3_NOTE = "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)"
OUTCOMES_LABEL = "三、本年度办理结果"

# --- report furniture ---------------------------------------------------------------------------

SECTIONS = {
    "overview": "一、总体情况",
    "table2": "二、主动公开政府信息情况",
    "table3": "三、收到和处理政府信息公开申请情况",
    "table4": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}
# The title every report prints, and a variant some agencies use ("2020年度...工作报告").
TITLES = ("{agency}{year}年政府信息公开工作年度报告", "{agency}{year}年度政府信息公开工作报告")
INTRO = ("本报告依据《中华人民共和国政府信息公开条例》编制,包括总体情况、主动公开政府信息情况、收到和处理"
         "政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
         "本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。")
BODY = ("{year}年,{agency}坚持以公开为常态、不公开为例外,认真落实政务公开各项工作任务,不断完善主动公开、"
        "依申请公开和政策解读回应工作机制,全年共收到政府信息公开申请{received}件,均在法定期限内依法答复。")
# Where a township sits, for reports whose title names the township alone.
LOCATION = "{town}位于{place},辖区内设有便民服务中心。"
PROBLEMS = "政务公开工作人员业务能力有待进一步提高,政策解读形式较为单一。"
OTHER = "本年度未收取信息处理费。"
# Publication dates: a web page's header line, and a signature's date.
PUBLISHED_HEAD = "发布时间: {date} 09:{minute:02d} 来源: {agency}"
SIGNATURE_DATE = "{y}年{m}月{d}日"

# What the small renderer the unit tests use prints around the tables (kept byte-identical).
LEGACY_TITLE = "湘阴县人民政府2023年政府信息公开工作年度报告"
LEGACY_HEAD = ["一、总体情况", "2023年,本机关依法推进政府信息公开工作,全年收到申请71件。"]
LEGACY_TAIL = ["五、存在的主要问题及改进情况", "工作人员业务能力有待提高。", "六、其他需要报告的事项", "无"]
LEGACY_REPEATED_HEADER = "申请人情况 自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计"

# Page markers PDF converters leave at page foot.
PAGE_MARKERS = ("— {n} —", "- {n} -", "第{n}页 共{total}页")

# --- HTML page chrome ---------------------------------------------------------------------------

HTML_NAV = ('<div class="nav"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | '
            '<a href="/xxgk/">政府信息公开年报</a></div>\n'
            '<div class="breadcrumb">当前位置:首页 &gt; 政府信息公开 &gt; 年度报告</div>')
HTML_FOOTER = '<div id="footer">主办单位:{agency} 网站标识码 {code}</div>'
WORD_FONTS = ("仿宋_GB2312", "宋体")

# --- agencies -------------------------------------------------------------------------------------

# cpca's grouping rows under a prefecture ("市辖区"): not a place.
GROUPING_COUNTY = "市辖区"
PEOPLES_GOVERNMENT = "人民政府"
# 地区 and 盟 are governed by a commissioner's office, not a people's government.
COMMISSIONER_PLACES = ("地区", "盟")
COMMISSIONER = "行政公署"
COMMISSIONER_OFFICE = "行政公署办公室"
GOVERNMENT_OFFICE = "人民政府办公室"
# A province's general office is an 办公厅.
PROVINCE_GOVERNMENT_OFFICE = "人民政府办公厅"
TOWN_SUFFIXES = ("镇", "乡", "街道")
# What follows a town's name in its government's name ("东塘镇" -> "东塘镇人民政府").
TOWN_GOVERNMENTS = {"镇": "人民政府", "乡": "人民政府", "街道": "办事处"}
# The tax bureaus are vertical: "国家税务总局湘阴县税务局".
TAX_PREFIX = "国家税务总局"
TAX_BUREAU = "税务局"

# Departments of a provincial government (厅 for the constituent departments).
PROVINCE_DEPARTMENTS = (
    "发展和改革委员会", "教育厅", "科学技术厅", "工业和信息化厅", "公安厅", "民政厅", "司法厅", "财政厅",
    "人力资源和社会保障厅", "自然资源厅", "生态环境厅", "住房和城乡建设厅", "交通运输厅", "水利厅",
    "农业农村厅", "商务厅", "文化和旅游厅", "卫生健康委员会", "退役军人事务厅", "应急管理厅", "审计厅",
    "市场监督管理局", "统计局", "医疗保障局", "林业局", "体育局", "地方金融监督管理局", "信访局",
)
# Departments of a prefecture's government.
PREFECTURE_DEPARTMENTS = (
    "发展和改革委员会", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局", "司法局", "财政局",
    "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局", "交通运输局", "水利局",
    "农业农村局", "商务局", "文化旅游广电体育局", "卫生健康委员会", "退役军人事务局", "应急管理局", "审计局",
    "市场监督管理局", "统计局", "医疗保障局", "林业局", "行政审批服务局", "城市管理局", "信访局",
    "政务服务和数据管理局", "住房公积金管理中心",
)
# Departments of a county's (or district's, county-level city's) government.
COUNTY_DEPARTMENTS = (
    "发展和改革局", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局", "司法局", "财政局",
    "人力资源和社会保障局", "自然资源局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局",
    "商务局", "文化旅游广电体育局", "卫生健康局", "退役军人事务局", "应急管理局", "审计局",
    "市场监督管理局", "统计局", "医疗保障局", "林业局", "行政审批服务局", "城市管理和综合执法局", "信访局",
    "乡村振兴局", "营商环境建设监督局",
)

# Two-character stems of township names (the generator drops any that starts a real division's
# name, so that a township named alone is never read as a county).
TOWN_STEMS = (
    "城关", "东塘", "白马", "金龙", "石门", "龙潭", "高桥", "长乐", "太平", "永安", "黄沙", "大石",
    "三江", "柳林", "南岭", "杨林", "马鞍", "桃花", "清水", "双河", "红星", "樟树", "平安", "兴隆",
    "新塘", "古城", "文星", "玉华", "洋沙", "鹤龙", "静河", "白泥", "望城", "青竹", "金山", "梅溪",
    "岭头", "沙坪", "朱坊", "石塘", "枫林", "荷塘", "竹山", "田心", "湾头", "泉塘", "茶园", "松柏",
)

# --- OCR garbling ---------------------------------------------------------------------------------

# Characters OCR reads as a look-alike (seen in the seed reports: 结->纪, 审->宿, 其->世...).
LOOKALIKES = {
    "结": "纪", "审": "宿", "其": "世", "果": "杲", "维": "准", "复": "夏", "请": "清", "申": "中",
    "政": "攻", "处": "外", "理": "埋", "务": "各", "息": "恩", "提": "捉", "供": "洪", "掌": "堂",
    "握": "渥", "制": "刮", "确": "碓", "受": "爱", "访": "坊", "诉": "拆", "投": "没",
    "案": "桉", "查": "杳", "询": "洵", "容": "客", "明": "朋", "补": "朴", "密": "蜜", "禁": "襟",
    "费": "贵", "缴": "激", "新": "亲", "转": "专", "办": "力", "予": "子", "保": "堡", "权": "杈",
}
# Stray marks OCR leaves in an empty label column ("_ +", "- 生 1 木" in the seeds).
OCR_JUNK = ("_ +", "·", "- 生 1 木", "↑")

# Full-width punctuation many reports print (the parser folds it back with NFKC).
FULL_WIDTH = {"(": "（", ")": "）", ",": "，", ":": "："}

# How the printed 表三 begins: the mutations find the tables' value rows after it.
TABLE3_START = "三、收到"
YUAN = "元"  # a money amount printed in yuan (mutations: 表二 units)
