"""Chinese vocabulary of the reports of 2008-2018: the statistics table and the narrative sentences.

Text reaching these patterns is normalised (NFKC, simplified), so colons and brackets are ASCII.
"""

# The form's name in reports and data: the national 政府信息公开情况统计表 (国办发〔2014〕32号 and its
# local variants, several provinces printing a version of it from 2009 on).
FORM = "2014"

# Where the statistics table begins: its title, or its header row.
TABLE_TITLE = "政府信息公开情况统计表"
HEADER_WORDS = ("指标名称", "计量单位")
# A header naming the cumulative column (历年累计: since 2008): the table has two value columns.
CUMULATIVE_HEADERS = ("历年累计", "累计")
# Where the table ends: the page's attachment link, or the next numbered part of the report.
TABLE_END_WORDS = ("附件下载", "附件:", "相关附件")

# Units printed after a row's label: counts, and money (converted to the codebook's 万元).
COUNT_UNITS = ("条", "件", "个", "项", "次", "人次")
MONEY_UNITS = {"万元": 1, "元": 10000}

# "其中:" before a row's sub-items, and the item numbers before them ("1、", "2.", "(一)").
OF_WHICH = "其中"
ITEM_NUMBER = r"(?:\d{1,2}\s*[、.]|\([一二三四五六七八九十]\))"

# Signs of the era: these sections and words only the reports before the 2019 template print.
ERA_WORDS = ("历年累计", "依申请公开工作情况", "依申请公开情况", "政府信息公开情况统计表", "收费及减免")

# Figures the narrative states, by the form's row codes. Group "n" is the number.
_N = r"(?P<n>\d+)\s*(?:条|件|个|项|次|份)"
SENTENCE_PATTERNS = {
    "proactive_total": (r"主动公开(?:政府)?信息(?:数)?(?:为|共)?\s*" + _N,),
    "requests_received": (
        r"(?:共|全年|总共|累计)?(?:收到|受理|接收)(?:了)?[^。;,\d]{0,16}?公开[^。;,\d]{0,8}?申请(?:数|共)?(?:为)?\s*" + _N,
        r"(?:收到|受理)依申请公开(?:件|申请)?(?:数)?\s*" + _N,
    ),
    "requests_in_person": (r"当面申请(?:数)?(?:为)?\s*" + _N,),
    "requests_fax": (r"(?<!信函、)(?<!信函)传真申请(?:数)?(?:为)?\s*" + _N,),
    "requests_email": (r"电子邮件申请(?:数)?(?:为)?\s*" + _N,),
    "requests_online": (r"(?:网上|网络)申请(?:数)?(?:为)?\s*" + _N,),
    "requests_letter": (r"信函申请(?:数)?(?:为)?\s*" + _N,),
    "answers_total": (r"(?<!公开)(?<!类型)答复(?:总数|数)?(?:为|共)?\s*" + _N,),
    "answers_granted": (r"(?<!不)同意公开(?:答复)?(?:数)?(?:为)?\s*" + _N,),
    "answers_partly": (r"同意部分公开(?:答复)?(?:数)?(?:为)?\s*" + _N, r"部分公开(?:答复)?(?:数)?(?:为)?\s*" + _N),
    "answers_refused": (r"(?:不同意公开|不予公开|否决公开|免于公开)(?:答复)?(?:数)?(?:为)?\s*" + _N,),
    "answers_other": (r"(?:其它|其他)(?:类型)?(?:公开)?答复(?:数)?(?:为)?\s*" + _N,),
    "reconsideration_total": (r"行政复议(?:申请)?(?:案件)?(?:数)?(?:为|共)?\s*" + _N,),
    "litigation_total": (r"行政诉讼(?:案件)?(?:数)?(?:为|共)?\s*" + _N,),
}
# Sentences stating none: "未收到政府信息公开申请", "未收到有关政府信息公开行政复议申请".
NONE_RECEIVED = {
    "requests_received": r"未(?:收到|受理|接到)[^。;,]{0,16}?(?<!复议)(?<!诉讼)申请",
    "reconsideration_total": r"未(?:收到|发生|接到)[^。;]{0,20}?行政复议",
    "litigation_total": r"未(?:收到|发生|接到)[^。;]{0,30}?行政诉讼",
}
