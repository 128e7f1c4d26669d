"""Header aliases: how each source's columns are recognised.

Headers are compared after `header_key()`: accents, case, spaces and punctuation removed, so
"Ngày tiếp nhận", "NGAY TIEP NHAN" and "NgayTiepNhan" are the same key.  Each canonical column
(the warehouse contract's name) lists the portal's field name, Vietnamese and English aliases.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from core.index_groups import FIVE_GROUPS, GROUP_MAX, SIX_GROUPS  # noqa: F401  (the sources read them here)

DOSSIER_COLUMNS: dict[str, list[str]] = {
    "dossier_id": ["MaHoSo", "Mã hồ sơ", "Số hồ sơ", "dossier_id", "dossier id"],
    "commune_code": ["MaXa", "Mã xã", "Mã xã/phường", "Mã đơn vị hành chính", "commune_code"],
    "commune_name": ["TenXa", "Tên xã", "Xã/phường", "Xã/phường/đặc khu", "Đơn vị tiếp nhận",
                     "commune_name", "commune"],
    "province_code": ["MaTinh", "Mã tỉnh", "province_code"],
    "province_name": ["TenTinh", "Tỉnh", "Tỉnh/thành phố", "Tên tỉnh", "province_name", "province"],
    "procedure_code": ["MaTTHC", "Mã TTHC", "Mã thủ tục", "procedure_code"],
    "procedure_name": ["TenTTHC", "Tên TTHC", "Tên thủ tục", "Thủ tục", "procedure_name"],
    "sector_code": ["MaLinhVuc", "Mã lĩnh vực", "sector_code"],
    "sector_name": ["TenLinhVuc", "Lĩnh vực", "Tên lĩnh vực", "sector_name", "sector"],
    "received_at": ["NgayTiepNhan", "Ngày tiếp nhận", "Ngày nhận", "received_at", "received"],
    "due_at": ["NgayHenTra", "Ngày hẹn trả", "Hạn xử lý", "due_at", "due"],
    "finished_at": ["NgayKetThucXuLy", "Ngày kết thúc xử lý", "Ngày hoàn thành", "finished_at",
                    "finished"],
    "returned_at": ["NgayTra", "Ngày trả", "Ngày trả kết quả", "returned_at", "returned"],
    "status": ["TrangThaiHoSo", "Trạng thái hồ sơ", "Trạng thái", "status"],
    "channel": ["KenhThucHien", "Kênh thực hiện", "Kênh nộp", "Hình thức nộp", "channel"],
    "online_mode": ["ToanTrinh", "Toàn trình", "Trực tuyến toàn trình", "Mức độ trực tuyến",
                    "Hình thức trực tuyến", "online_mode", "full_online", "is_full_online"],
    "paid_online_via": ["DuocThanhToanTrucTuyen", "Thanh toán trực tuyến", "Được thanh toán trực tuyến",
                        "paid_online", "paid_online_via"],
    "digitized": ["HoSoCoThanhPhanSoHoa", "DuocSoHoa", "Số hóa", "Có thành phần số hóa",
                  "Hồ sơ có thành phần số hóa", "digitized"],
    "handling_unit": ["DonViXuLy", "Đơn vị xử lý", "handling_unit"],
}
DOSSIER_REQUIRED = ["dossier_id", "received_at", "channel"]

SIGNATURE_COLUMNS: dict[str, list[str]] = {
    "commune_code": DOSSIER_COLUMNS["commune_code"],
    "commune_name": DOSSIER_COLUMNS["commune_name"] + ["Tên đơn vị", "Đơn vị"],
    "province_code": DOSSIER_COLUMNS["province_code"],
    "province_name": DOSSIER_COLUMNS["province_name"],
    "month": ["Tháng", "Kỳ báo cáo", "Tháng báo cáo", "ThangBaoCao", "month", "period"],
    "docs_issued": ["Tổng số văn bản đi", "Số văn bản đi", "Văn bản đi", "VanBanDi", "docs_issued",
                    "documents_issued"],
    "docs_confidential": ["Văn bản mật", "Số văn bản mật", "Trong đó mật", "VanBanMat",
                          "docs_confidential", "documents_confidential"],
    "docs_signed": ["Số văn bản ký số", "Văn bản đi ký số", "Văn bản ký số", "VanBanKySo",
                    "docs_signed", "documents_signed"],
}
SIGNATURE_REQUIRED = ["month", "docs_issued", "docs_confidential", "docs_signed"]

# Group columns of a published index sheet.  DVCTT is the older five-group layout's
# "online services and payment" group (max 22), which TTTT and CLGQ replaced.
INDEX_GROUP_COLUMNS: dict[str, list[str]] = {
    "CKMB": ["CKMB", "Công khai, minh bạch", "Công khai minh bạch", "transparency"],
    "TDGQ": ["TDGQ", "Tiến độ giải quyết", "on_time_processing", "on-time processing"],
    "CLGQ": ["CLGQ", "Dịch vụ công trực tuyến", "Dịch vụ trực tuyến", "online_services",
             "online services"],
    "TTTT": ["TTTT", "Thanh toán trực tuyến", "online_payment", "online payment"],
    "MDSH": ["MDSH", "Số hóa hồ sơ", "Mức độ số hóa", "Mức độ số hóa hồ sơ", "digitization"],
    "MDHL": ["MDHL", "Mức độ hài lòng", "Sự hài lòng", "satisfaction"],
    "DVCTT": ["DVCTT", "Cung cấp dịch vụ trực tuyến", "Dịch vụ công trực tuyến, thanh toán trực tuyến",
              "Dịch vụ công trực tuyến và thanh toán trực tuyến", "online_services_and_payment"],
}
INDEX_COLUMNS: dict[str, list[str]] = {
    "stt": ["STT", "TT", "No", "no."],
    "commune_code": DOSSIER_COLUMNS["commune_code"],
    "commune_name": ["Tên đơn vị", "Đơn vị", "Tên xã", "Xã/phường", "unit", "unit_name",
                     "commune_name", "departmentName"],
    "province_code": DOSSIER_COLUMNS["province_code"],
    "province_name": DOSSIER_COLUMNS["province_name"],
    "period": ["Kỳ", "Kỳ đánh giá", "Kỳ báo cáo", "Tháng", "period"],
    "total_score": ["Tổng điểm", "Tổng", "total_score", "total", "totalScore"],
    "published_rank": ["Xếp hạng", "Thứ hạng", "Hạng", "rank", "published_rank"],
    **INDEX_GROUP_COLUMNS,
}
INDEX_REQUIRED = ["commune_name|commune_code", "TDGQ|CKMB|MDHL"]


# --- Digital skills (Bình dân học vụ số): population, community digital teams, training, VNeID ----

_SKILLS_COMMUNE = {
    "commune_code": DOSSIER_COLUMNS["commune_code"],
    "commune_name": DOSSIER_COLUMNS["commune_name"] + ["Tên đơn vị", "Đơn vị", "Đơn vị hành chính"],
    "province_code": DOSSIER_COLUMNS["province_code"],
    "province_name": DOSSIER_COLUMNS["province_name"],
}

POPULATION_COLUMNS: dict[str, list[str]] = {
    **_SKILLS_COMMUNE,
    "year": ["Năm", "Năm báo cáo", "Năm số liệu", "year"],
    "population": ["Dân số", "Tổng dân số", "Số dân", "Dân số (người)", "Tổng số nhân khẩu", "population"],
    "adults": ["Số người trưởng thành", "Người trưởng thành", "Dân số trưởng thành",
               "Số người từ 18 tuổi trở lên", "Dân số từ 18 tuổi trở lên", "adults", "adult_population"],
    "villages": ["Số thôn, tổ dân phố", "Số thôn/tổ dân phố", "Số thôn, bản, tổ dân phố", "Số thôn, bản",
                 "Số thôn", "Số tổ dân phố", "villages", "villages_and_residential_groups"],
}
POPULATION_REQUIRED = ["commune_name|commune_code", "year", "population"]

# One row per team (village given) or one row per commune (team count given): see digital_teams.py.
DIGITAL_TEAM_COLUMNS: dict[str, list[str]] = {
    **_SKILLS_COMMUNE,
    "village": ["Thôn, tổ dân phố", "Thôn/tổ dân phố", "Thôn, bản, tổ dân phố", "Thôn/bản/tổ dân phố",
                "Thôn", "Tổ dân phố", "Thôn/bản", "Địa bàn", "village", "residential_group"],
    "team_name": ["Tên tổ", "Tên tổ công nghệ số cộng đồng", "Tên tổ CNSCĐ", "team_name"],
    "team_count": ["Tổ công nghệ số cộng đồng", "Số tổ công nghệ số cộng đồng", "Số tổ CNSCĐ", "Số tổ",
                   "Số tổ công nghệ số", "team_count", "teams"],
    "members": ["Số thành viên", "Thành viên", "Số thành viên tổ", "Tổng số thành viên", "members",
                "team_members"],
    "established_on": ["Ngày thành lập", "Ngày quyết định thành lập", "Ngày báo cáo", "Tính đến ngày",
                       "Ngày", "established_on", "established", "as_of", "date"],
}
DIGITAL_TEAM_REQUIRED = ["commune_name|commune_code", "village|team_count", "members", "established_on"]

TRAINING_COLUMNS: dict[str, list[str]] = {
    **_SKILLS_COMMUNE,
    "training_on": ["Ngày tập huấn", "Ngày tổ chức", "Ngày", "Thời gian", "training_on", "date",
                    "session_date"],
    "topic": ["Nội dung", "Nội dung tập huấn", "Chủ đề", "topic"],
    "audience": ["Đối tượng", "Đối tượng tham dự", "Đối tượng tập huấn", "Thành phần", "audience"],
    "participants": ["Số người tham dự", "Số lượng tham dự", "Số người tham gia", "Số lượt người tham dự",
                     "Số học viên", "participants"],
    "organiser": ["Đơn vị tổ chức", "Đơn vị chủ trì", "Cơ quan tổ chức", "organiser", "organizer"],
    "location": ["Địa điểm", "Địa điểm tổ chức", "location", "venue"],
}
TRAINING_REQUIRED = ["commune_name|commune_code", "training_on", "topic", "audience", "participants"]

VNEID_COLUMNS: dict[str, list[str]] = {
    **_SKILLS_COMMUNE,
    "month": SIGNATURE_COLUMNS["month"],
    "vneid_level2_active": ["Số tài khoản VNeID mức 2", "Tài khoản VNeID mức 2", "VNeID mức 2",
                            "Số tài khoản định danh điện tử mức 2", "Số tài khoản VNeID mức 2 đã kích hoạt",
                            "vneid_level2_active", "vneid_level2"],
    "adults_certified": ["Số người được cấp chứng nhận", "Số người được cấp chứng nhận Bình dân học vụ số",
                         "Số người đạt chứng nhận", "Số người trưởng thành được cấp chứng nhận",
                         "adults_certified", "certified"],
}
VNEID_REQUIRED = ["commune_name|commune_code", "month", "vneid_level2_active|adults_certified"]

KIND_COLUMNS = {"dossiers": DOSSIER_COLUMNS, "signatures": SIGNATURE_COLUMNS, "index": INDEX_COLUMNS,
                "population": POPULATION_COLUMNS, "digital_teams": DIGITAL_TEAM_COLUMNS,
                "training": TRAINING_COLUMNS, "vneid": VNEID_COLUMNS}
KIND_REQUIRED = {"dossiers": DOSSIER_REQUIRED, "signatures": SIGNATURE_REQUIRED,
                 "index": INDEX_REQUIRED, "population": POPULATION_REQUIRED,
                 "digital_teams": DIGITAL_TEAM_REQUIRED, "training": TRAINING_REQUIRED,
                 "vneid": VNEID_REQUIRED}


def header_key(text: object) -> str:
    """Accent-, case-, space- and punctuation-insensitive key of a header cell."""
    s = unicodedata.normalize("NFKD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]", "", s.lower())


def _alias_index(columns: dict[str, list[str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for canonical, aliases in columns.items():
        for alias in [canonical, *aliases]:
            out.setdefault(header_key(alias), canonical)
    return out


ALIASES = {kind: _alias_index(cols) for kind, cols in KIND_COLUMNS.items()}
# No alias is longer than this: longer cells (data rows scanned while looking for the header row, a
# whole line read with the wrong delimiter) are not keyed at all.
MAX_HEADER_CHARS = max(len(a) for cols in KIND_COLUMNS.values() for al in cols.values() for a in al) + 40


@functools.lru_cache(maxsize=8192)
def _cell_key(text: str) -> str:
    """header_key of a cell, cached: header detection keys the same cells once per kind."""
    return header_key(text) if len(text) <= MAX_HEADER_CHARS else ""


def map_headers(kind: str, headers: list[str]) -> dict[int, str]:
    """Position -> canonical name for the headers this kind recognises (first occurrence wins)."""
    index = ALIASES[kind]
    out: dict[int, str] = {}
    seen: set[str] = set()
    for pos, h in enumerate(headers):
        canonical = index.get(_cell_key(str(h or "")))
        if canonical and canonical not in seen:
            out[pos] = canonical
            seen.add(canonical)
    return out


def missing_required(kind: str, present: set[str]) -> list[str]:
    """Required columns (alternatives joined by '|') that the mapped headers lack."""
    return [req for req in KIND_REQUIRED[kind] if not any(alt in present for alt in req.split("|"))]


def detect_kind(headers: list[str]) -> str | None:
    """The kind whose required columns the headers satisfy best, or None."""
    best, best_hits = None, 0
    for kind in KIND_COLUMNS:
        present = set(map_headers(kind, headers).values())
        if missing_required(kind, present):
            continue
        hits = len(present)
        if hits > best_hits:
            best, best_hits = kind, hits
    return best
