/*
 * classes.c -- the 三调 工作分类 (TD/T 1055-2019 第三次全国国土调查技术规程,
 * appendix: 工作分类, and the correspondence of its classes with the
 * three top classes of the 土地管理法, 农用地 / 建设用地 / 未利用地).
 *
 * The 湿地 一级类 (00) holds classes that keep the code of their GB/T 21010
 * parent (0303 红树林地 …); their top class follows the correspondence
 * table, not the first two digits.  The table is written from the published
 * documents as recalled; docs/landuse.md lists it with the rows whose
 * reading is not verified against the printed standard.
 */
#include "landuse/landuse.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *code, *name, *level1;
    rl_top_class top;
} class_row;

#define A RL_TOP_AGRI
#define B RL_TOP_BUILD
#define U RL_TOP_UNUSED
static const class_row classes[] = {
    {"0303", "红树林地", "00", A}, {"0304", "森林沼泽", "00", A},
    {"0306", "灌丛沼泽", "00", A}, {"0402", "沼泽草地", "00", A},
    {"0603", "盐田", "00", B},     {"1105", "沿海滩涂", "00", U},
    {"1106", "内陆滩涂", "00", U}, {"1108", "沼泽地", "00", U},
    {"0101", "水田", "01", A},     {"0102", "水浇地", "01", A},
    {"0103", "旱地", "01", A},
    {"0201", "果园", "02", A},     {"0202", "茶园", "02", A},
    {"0203", "橡胶园", "02", A},   {"0204", "其他园地", "02", A},
    {"0301", "乔木林地", "03", A}, {"0302", "竹林地", "03", A},
    {"0305", "灌木林地", "03", A}, {"0307", "其他林地", "03", A},
    {"0401", "天然牧草地", "04", A}, {"0403", "人工牧草地", "04", A},
    {"0404", "其他草地", "04", U},
    {"05H1", "商业服务业设施用地", "05", B}, {"0508", "物流仓储用地", "05", B},
    {"0601", "工业用地", "06", B}, {"0602", "采矿用地", "06", B},
    {"0701", "城镇住宅用地", "07", B}, {"0702", "农村宅基地", "07", B},
    {"08H1", "机关团体新闻出版用地", "08", B}, {"08H2", "科教文卫用地", "08", B},
    {"0809", "公用设施用地", "08", B}, {"0810", "公园与绿地", "08", B},
    {"09", "特殊用地", "09", B},
    {"1001", "铁路用地", "10", B}, {"1002", "轨道交通用地", "10", B},
    {"1003", "公路用地", "10", B}, {"1004", "城镇村道路用地", "10", B},
    {"1005", "交通服务场站用地", "10", B}, {"1006", "农村道路", "10", A},
    {"1007", "机场用地", "10", B}, {"1008", "港口码头用地", "10", B},
    {"1009", "管道运输用地", "10", B},
    {"1101", "河流水面", "11", U}, {"1102", "湖泊水面", "11", U},
    {"1103", "水库水面", "11", B}, {"1104", "坑塘水面", "11", A},
    {"1104A", "养殖坑塘", "11", A}, {"1107", "沟渠", "11", A},
    {"1107A", "干渠", "11", A},    {"1109", "水工建筑用地", "11", B},
    {"1110", "冰川及永久积雪", "11", U},
    {"1201", "空闲地", "12", B},   {"1202", "设施农用地", "12", A},
    {"1203", "田坎", "12", A},     {"1204", "盐碱地", "12", U},
    {"1205", "沙地", "12", U},     {"1206", "裸土地", "12", U},
    {"1207", "裸岩石砾地", "12", U},
};
#undef A
#undef B
#undef U

static const struct {
    const char *code, *name;
} level1s[] = {
    {"00", "湿地"},     {"01", "耕地"},     {"02", "种植园用地"},
    {"03", "林地"},     {"04", "草地"},     {"05", "商业服务业用地"},
    {"06", "工矿用地"}, {"07", "住宅用地"}, {"08", "公共管理与公共服务用地"},
    {"09", "特殊用地"}, {"10", "交通运输用地"}, {"11", "水域及水利设施用地"},
    {"12", "其他土地"},
};

static const class_row *find(const char *code)
{
    for (size_t i = 0; i < sizeof classes / sizeof *classes; i++)
        if (strcmp(classes[i].code, code) == 0)
            return &classes[i];
    return NULL;
}

const char *rl_lu_level1_name(const char *code)
{
    for (size_t i = 0; code && i < sizeof level1s / sizeof *level1s; i++)
        if (strcmp(level1s[i].code, code) == 0)
            return level1s[i].name;
    return NULL;
}

rl_lu_class_info rl_lu_class(const char *code, char *buf, size_t n)
{
    rl_lu_class_info ci = {NULL, "", RL_TOP_UNKNOWN};
    if (!code)
        return ci;
    const class_row *row = find(code);
    size_t len = strlen(code);
    char base[16];
    /* A suffixed code the table lacks (0201K, 1104K) follows its base. */
    if (!row && len > 1 && len < sizeof base && isalpha((unsigned char)code[len - 1])) {
        memcpy(base, code, len - 1);
        base[len - 1] = '\0';
        if ((row = find(base)) != NULL && buf && n >= 64) {
            if (toupper((unsigned char)code[len - 1]) == 'K')
                snprintf(buf, n, "可调整%s", row->name);
            else
                snprintf(buf, n, "%s", row->name);
            ci.name = buf;
        }
    } else if (row) {
        ci.name = row->name;
    }
    if (row) {
        memcpy(ci.level1, row->level1, 3);
        ci.top = row->top;
    } else if (len >= 2 && isdigit((unsigned char)code[0]) && isdigit((unsigned char)code[1])) {
        char l1[3] = {code[0], code[1], '\0'};
        if (rl_lu_level1_name(l1))
            memcpy(ci.level1, l1, 3);
    }
    return ci;
}

const char *rl_lu_top_key(rl_top_class t)
{
    static const char *k[] = {"agricultural", "construction", "unused", "unclassified"};
    return t < RL_TOP_N ? k[t] : "unclassified";
}

const char *rl_lu_top_name(rl_top_class t)
{
    static const char *k[] = {"农用地", "建设用地", "未利用地", "未识别"};
    return t < RL_TOP_N ? k[t] : "未识别";
}
