"""The one translation table of the app (Vietnamese and English) and locale formatting.

Every text a user reads — labels, legend, popup headings, metric names, messages —
comes from :func:`t`. The language is always an argument (a Streamlit session
keeps it in its own state); nothing here remembers a current language.
"""

from __future__ import annotations

import calendar
import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, TypeVar

from hotspots.errors import HotspotsError, Problem, SchemaError
from hotspots.schema import (
    HAZARDS,
    PLAY_SPACE_KINDS,
    POINT_STATUSES,
    RESCUE_AUDIENCES,
    RISK_LEVELS,
    SWIM_VENUE_TYPES,
    UNIT_TYPES,
    WATER_TYPES,
)

_E = TypeVar("_E", bound=HotspotsError)

#: Supported languages, the default first.
LANGUAGES: Final = ("vi", "en")
DEFAULT_LANGUAGE: Final = "vi"
#: How each language names itself in the language switch.
LANGUAGE_NAMES: Final = {"vi": "Tiếng Việt", "en": "English"}

#: How dates are written in each language (``strftime`` codes).
DATE_FORMATS: Final = {"vi": "%d/%m/%Y", "en": "%d %b %Y"}

#: Enumerations whose values have a label in the table (key ``"<field>.<value>"``).
ENUMERATIONS: Final = {
    "water_type": WATER_TYPES,
    "risk_level": RISK_LEVELS,
    "status": POINT_STATUSES,
    "hazard": HAZARDS,
    "coverage": ("both", "swim_only", "rescue_only", "neither"),
    "venue_type": SWIM_VENUE_TYPES,
    "audience": RESCUE_AUDIENCES,
    "play_kind": PLAY_SPACE_KINDS,
    "unit_type": UNIT_TYPES,
    "basemap": ("none", "osm", "satellite"),
}

# key: (Vietnamese, English). Placeholders in braces are filled by t(..., name=value).
_ENTRIES: Final[dict[str, tuple[str, str]]] = {
    # --- app shell
    "app.title": ("Bản đồ điểm nguy cơ đuối nước", "Drowning-risk hotspot map"),
    "app.language": ("Ngôn ngữ / Language", "Ngôn ngữ / Language"),
    "app.data_date": ("Dữ liệu cập nhật đến {date}", "Data as of {date}"),
    "app.data_date_unknown": ("Chưa rõ ngày của dữ liệu", "Date of the data unknown"),
    "app.sample_badge": ("Dữ liệu mẫu minh hoạ", "Illustrative sample data"),
    "app.sample_help": (
        "Vị trí, tên và số liệu trong bộ dữ liệu mẫu chỉ để minh hoạ, không phải số liệu chính thức.",
        "Locations, names and figures in the sample are illustrative, not official data.",
    ),
    "app.points_loaded": ("{count} điểm nguy cơ đã tải", "{count} risk points loaded"),
    "app.load_error": ("Không đọc được dữ liệu: {error}", "The data could not be read: {error}"),
    "app.reach": ("Phạm vi bao phủ", "Reach of facilities"),
    "app.swim_radius": ("Bán kính lớp dạy bơi (m)", "Swimming-class reach (m)"),
    "app.rescue_radius": ("Bán kính điểm tập huấn cứu hộ (m)", "Rescue-training reach (m)"),
    "app.radius_help": (
        "Điểm nguy cơ nằm trong bán kính này (đo bằng mét) được coi là được bao phủ.",
        "A risk point within this distance (in metres) counts as covered.",
    ),
    "nav.map": ("Bản đồ", "Map"),
    "nav.communes": ("Xã, phường", "Communes"),
    # --- map page
    "map.title": ("Điểm nguy cơ đuối nước – {province}", "Drowning-risk hotspots – {province}"),
    "map.filters": ("Bộ lọc", "Filters"),
    "map.filter_commune": ("Xã, phường", "Commune"),
    "map.filter_water_type": ("Loại mặt nước", "Water type"),
    "map.filter_risk_level": ("Mức nguy cơ", "Risk level"),
    "map.filter_coverage": ("Mức bao phủ", "Coverage"),
    "map.filter_status": ("Trạng thái điểm", "Point status"),
    "map.filter_all": ("Tất cả", "All"),
    "map.display": ("Hiển thị", "Display"),
    "map.basemap": ("Nền bản đồ", "Basemap"),
    "map.heatmap": ("Bản đồ nhiệt các điểm nguy cơ", "Heat map of risk points"),
    "map.no_points": ("Không có điểm nguy cơ nào khớp bộ lọc.", "No risk point matches the filters."),
    "map.cdn_warning": (
        "Thư viện bản đồ chưa được tải về máy chủ (chạy scripts/fetch_static.sh): bản đồ cần Internet.",
        "The map libraries are not installed on the server (run scripts/fetch_static.sh): "
        "the map needs internet access.",
    ),
    "map.points_heading": ("Điểm nguy cơ", "Risk points"),
    "map.black_spots_heading": ("Điểm đen", "Black spots"),
    "metric.points_shown": ("Điểm nguy cơ hiển thị", "Risk points shown"),
    "metric.black_spots": ("Điểm đen", "Black spots"),
    "metric.no_play_space": ("Xã chưa có điểm vui chơi", "Communes without play space"),
    "metric.swim": ("Có lớp dạy bơi gần", "Covered by swimming classes"),
    "metric.rescue": ("Có tập huấn cứu hộ gần", "Covered by rescue training"),
    "metric.both": ("Có cả hai", "Covered by both"),
    "metric.neither": ("Chưa có cả hai", "Covered by neither"),
    # --- layers
    "layer.risk_points": ("Điểm nguy cơ (màu theo mức bao phủ)", "Risk points (colour = coverage)"),
    "layer.black_spots": ("Điểm đen", "Black spots"),
    "layer.swim_classes": ("Lớp dạy bơi", "Swimming classes"),
    "layer.swim_coverage": ("Vùng bao phủ lớp dạy bơi ({radius})", "Swimming-class reach ({radius})"),
    "layer.rescue_trainings": ("Tập huấn cứu hộ", "Rescue training"),
    "layer.rescue_coverage": ("Vùng bao phủ tập huấn cứu hộ ({radius})", "Rescue-training reach ({radius})"),
    "layer.communes": ("Xã, phường", "Communes"),
    "layer.no_play_space": ("Xã, phường chưa có điểm vui chơi", "Communes without a play space"),
    "layer.play_spaces": ("Điểm vui chơi cho trẻ em", "Children's play spaces"),
    "layer.water": ("Sông, suối, hồ", "Rivers and lakes"),
    "layer.province": ("Ranh giới tỉnh, bờ biển", "Province outline and coast"),
    "layer.heatmap": ("Mật độ điểm nguy cơ", "Density of risk points"),
    "layer.focus": ("Xã, phường đang chọn", "Selected commune"),
    "label.no_play_space": ("Chưa có điểm vui chơi", "No play space"),
    # --- legend
    "legend.title": ("Chú giải", "Legend"),
    "legend.black_spot": ("Điểm đen (giám sát đặc biệt)", "Black spot (special monitoring)"),
    "legend.cluster": ("Nhóm điểm (số điểm)", "Group of points (count)"),
    "legend.swim_class": ("Lớp dạy bơi và vùng bao phủ", "Swimming class and its reach"),
    "legend.rescue": ("Tập huấn cứu hộ và vùng bao phủ", "Rescue training and its reach"),
    "legend.no_play_space": ("Xã, phường chưa có điểm vui chơi", "Commune without a play space"),
    "legend.play_space": ("Điểm vui chơi cho trẻ em", "Children's play space"),
    "legend.water": ("Sông, suối, hồ", "River, lake"),
    # --- popups and tooltips
    "popup.water_type": ("Loại mặt nước", "Water type"),
    "popup.hazards": ("Yếu tố nguy hiểm", "Hazards"),
    "popup.commune": ("Xã, phường", "Commune"),
    "popup.last_inspected": ("Kiểm tra lần cuối", "Last inspected"),
    "popup.coverage": ("Bao phủ", "Coverage"),
    "popup.nearest_swim": ("Lớp dạy bơi gần nhất", "Nearest swimming class"),
    "popup.nearest_rescue": ("Tập huấn cứu hộ gần nhất", "Nearest rescue training"),
    "popup.none": ("không có", "none"),
    "popup.organiser": ("Đơn vị tổ chức", "Organiser"),
    "popup.dates": ("Thời gian", "Dates"),
    "popup.capacity": ("Số chỗ", "Places"),
    "popup.participants": ("Số người tham gia", "Participants"),
    "popup.venue_type": ("Địa điểm", "Venue"),
    "popup.audience": ("Đối tượng", "Audience"),
    "popup.date": ("Ngày", "Date"),
    "popup.unknown": ("chưa rõ", "unknown"),
    "plugin.locate": ("Vị trí của tôi", "Show my location"),
    "plugin.fullscreen": ("Toàn màn hình", "Full screen"),
    "plugin.fullscreen_exit": ("Thoát toàn màn hình", "Exit full screen"),
    "yes": ("Có", "Yes"),
    "no": ("Chưa", "No"),
    # --- communes page
    "communes.title": ("Ưu tiên theo xã, phường", "Priorities by commune"),
    "communes.intro": (
        "Xã, phường xếp theo điểm ưu tiên: nhiều điểm nguy cơ chưa được bao phủ, nhiều trẻ em "
        "và chưa có điểm vui chơi thì ưu tiên cao hơn.",
        "Communes ranked by priority score: more uncovered risk points, more children and no "
        "play space mean a higher priority.",
    ),
    "communes.formula_heading": ("Cách tính điểm ưu tiên", "How the priority score is computed"),
    "communes.formula": (
        "- Mỗi điểm nguy cơ có trọng số 1, **điểm đen trọng số {weight}**.\n"
        "- Điểm chưa được bao phủ tính đủ trọng số, điểm chỉ có lớp dạy bơi *hoặc* chỉ có tập huấn "
        "cứu hộ tính một nửa, điểm có cả hai không tính.\n"
        "- *Nhu cầu* của xã = tổng các giá trị trên, chia cho nhu cầu lớn nhất trong tỉnh (0–1).\n"
        "- Nhân với (0,5 + 0,5 × số trẻ em dưới 16 tuổi / số lớn nhất trong tỉnh).\n"
        "- Cộng thêm **{bonus}** nếu xã chưa có điểm vui chơi.\n"
        "- Hạng 1 là ưu tiên cao nhất; bằng điểm thì xã nhiều điểm đen hơn, rồi nhiều điểm nguy cơ hơn "
        "đứng trước.",
        "- Each risk point weighs 1, **a black spot weighs {weight}**.\n"
        "- An uncovered point counts in full, a point with only a swimming class *or* only rescue "
        "training counts half, a point with both counts nothing.\n"
        "- The commune's *need* is the sum, divided by the largest need in the province (0–1).\n"
        "- It is multiplied by (0.5 + 0.5 × children under 16 / the largest number in the province).\n"
        "- **{bonus}** is added when the commune has no play space.\n"
        "- Rank 1 is the highest priority; ties go to more black spots, then more risk points.",
    ),
    "communes.chart": (
        "Điểm ưu tiên của {count} xã, phường đứng đầu",
        "Priority score of the top {count} communes",
    ),
    "communes.pick": ("Chọn xã, phường để xem trên bản đồ", "Pick a commune to see it on the map"),
    "communes.download_csv": ("Tải bảng (CSV)", "Download table (CSV)"),
    "communes.download_xlsx": ("Tải bảng (Excel)", "Download table (Excel)"),
    "communes.file_name": ("uu-tien-xa-phuong", "commune-priorities"),
    "communes.sheet": ("Ưu tiên", "Priorities"),
    "communes.empty": ("Chưa có dữ liệu xã, phường.", "No commune data."),
    "col.priority_rank": ("Hạng ưu tiên", "Priority rank"),
    "col.commune_id": ("Mã", "ID"),
    "col.name": ("Xã, phường", "Commune"),
    "col.children_under_16": ("Trẻ em dưới 16 tuổi", "Children under 16"),
    "col.has_play_space": ("Có điểm vui chơi", "Has a play space"),
    "col.risk_points": ("Điểm nguy cơ", "Risk points"),
    "col.black_spots": ("Điểm đen", "Black spots"),
    "col.covered_swim_share": ("Có lớp dạy bơi (%)", "Covered by swimming (%)"),
    "col.covered_rescue_share": ("Có tập huấn cứu hộ (%)", "Covered by rescue (%)"),
    "col.covered_either_share": ("Có ít nhất một (%)", "Covered by either (%)"),
    "col.priority_score": ("Điểm ưu tiên", "Priority score"),
    "nav.report": ("Báo điểm nguy cơ mới", "Report a risk point"),
    "nav.review": ("Duyệt và kiểm tra", "Review and inspect"),
    "notice.saved": ("Đã lưu.", "Saved."),
    # --- map page: downloads
    "map.download_heading": ("Tải các điểm đang hiển thị", "Download the points shown"),
    "map.download": ("Tải {format}", "Download {format}"),
    "map.download_help": (
        "Gồm cả lớp dạy bơi, điểm tập huấn gần nhất và khoảng cách (m).",
        "Includes the nearest swimming class and rescue training, with distances (m).",
    ),
    "map.file_name": ("diem-nguy-co", "risk-points"),
    # --- report page
    "report.title": ("Báo điểm nguy cơ mới", "Report a risk point"),
    "report.intro": (
        "Bấm vào bản đồ để chọn vị trí, hoặc gõ toạ độ. Điểm mới ở trạng thái *chờ duyệt* "
        "cho đến khi cán bộ duyệt.",
        "Click the map to choose the place, or type its coordinates. A new point stays *pending* "
        "until an officer reviews it.",
    ),
    "report.map_help": ("Bấm vào bản đồ để đặt vị trí điểm.", "Click the map to set the place."),
    "report.chosen_place": ("Vị trí đã chọn", "Chosen place"),
    "report.location": ("Vị trí", "Location"),
    "report.latitude": ("Vĩ độ", "Latitude"),
    "report.longitude": ("Kinh độ", "Longitude"),
    "report.coordinates_help": (
        'Ví dụ 21,0123 hoặc 21.0123 hoặc 21°00\'44"N. Có thể dán cả cặp "vĩ độ, kinh độ" '
        "từ Google Maps vào ô vĩ độ.",
        'For example 21.0123, 21,0123 or 21°00\'44"N. A "latitude, longitude" pair copied '
        "from Google Maps may be pasted into the latitude box.",
    ),
    "report.no_place": ("Chưa chọn vị trí.", "No place chosen yet."),
    "report.place": ("Vị trí: {lat}, {lon}", "Place: {lat}, {lon}"),
    "report.details": ("Thông tin điểm", "About the place"),
    "report.name": ("Tên địa điểm", "Place name"),
    "report.name_help": ("Tên có dấu, ví dụ: Ao làng Cao Xanh", "With diacritics, e.g. Ao làng Cao Xanh"),
    "report.water_type": ("Loại mặt nước", "Water type"),
    "report.risk_level": ("Mức nguy cơ", "Risk level"),
    "report.hazards": ("Yếu tố nguy hiểm", "Hazards"),
    "report.notes": ("Ghi chú", "Notes"),
    "report.reporter": ("Người báo", "Reported by"),
    "report.reporter_help": (
        "Họ tên và đơn vị; được ghi vào lịch sử.",
        "Your name and unit; recorded in the history.",
    ),
    "report.choose": ("Chọn…", "Choose…"),
    "report.submit": ("Gửi điểm nguy cơ", "Submit the risk point"),
    "report.added": (
        "Đã ghi điểm {point_id} ở trạng thái chờ duyệt. Cán bộ sẽ xem xét.",
        "Point {point_id} recorded as pending, awaiting review by an officer.",
    ),
    "report.invalid": (
        "Chưa lưu được điểm. Sửa các lỗi sau rồi gửi lại (thông tin đã nhập vẫn được giữ):",
        "The point was not saved. Fix these problems and submit again (what you typed is kept):",
    ),
    "report.missing_reporter": ("Hãy ghi tên người báo.", "Say who reports the point."),
    "report.import_heading": ("Nhập nhiều điểm từ tệp", "Import points from a file"),
    "report.import_file": ("Tệp dữ liệu", "Data file"),
    "report.import_help": (
        "GeoJSON, CSV, Excel (.xlsx), KML, GPX hoặc GeoPackage.",
        "GeoJSON, CSV, Excel (.xlsx), KML, GPX or GeoPackage.",
    ),
    "report.preview": (
        "{valid} điểm hợp lệ, {rejected} điểm bị loại.",
        "{valid} valid points, {rejected} rejected.",
    ),
    "report.rejected_rows": ("Các dòng bị loại và lý do", "Rejected rows and why"),
    "report.file_problems": ("Lỗi của cả tệp:", "Problems with the whole file:"),
    "report.skip_invalid": (
        "Bỏ qua các dòng lỗi, chỉ nhập dòng hợp lệ",
        "Skip invalid rows, import the valid ones",
    ),
    "report.import": ("Nhập vào kho dữ liệu", "Import into the store"),
    "report.import_blocked": (
        "Tệp có dòng lỗi: sửa tệp, hoặc chọn bỏ qua các dòng lỗi. Không dòng nào được nhập nếu còn lỗi.",
        "The file has invalid rows: fix the file, or choose to skip them. Nothing is imported while "
        "rows are invalid.",
    ),
    "report.imported": (
        "Đã nhập {added} điểm mới; {skipped} điểm đã có sẵn; {rejected} dòng bị loại.",
        "Imported {added} new points; {skipped} already present; {rejected} rows rejected.",
    ),
    "report.download_rejected": ("Tải các dòng bị loại (CSV)", "Download the rejected rows (CSV)"),
    "report.import_failed": ("Không nhập được tệp:", "The file was not imported:"),
    # --- review page
    "review.title": ("Duyệt và kiểm tra", "Review and inspect"),
    "review.user": ("Cán bộ thực hiện", "Officer"),
    "review.user_help": ("Họ tên; được ghi vào lịch sử.", "Your name; recorded in the history."),
    "review.user_needed": (
        "Hãy ghi tên cán bộ thực hiện trước khi lưu.",
        "Type your name before saving: the history records who decided.",
    ),
    "review.queue": ("Điểm chờ duyệt ({count})", "Points awaiting review ({count})"),
    "review.queue_empty": ("Không có điểm nào chờ duyệt.", "No point is awaiting review."),
    "review.pick_pending": ("Điểm cần duyệt", "Point to review"),
    "review.approve": ("Duyệt (đưa vào theo dõi)", "Approve (make active)"),
    "review.reject_reason": ("Lý do từ chối", "Reason for rejecting"),
    "review.reject": ("Từ chối", "Reject"),
    "review.reason_needed": ("Hãy ghi lý do từ chối.", "Give the reason for rejecting."),
    "review.approved": ("Đã duyệt {point_id}.", "{point_id} approved."),
    "review.rejected": ("Đã từ chối {point_id}.", "{point_id} rejected."),
    "review.point_heading": ("Một điểm nguy cơ", "One risk point"),
    "review.pick_point": ("Chọn điểm (theo mã)", "Choose a point (by id)"),
    "review.current_status": ("Trạng thái hiện tại: **{status}**", "Current status: **{status}**"),
    "review.status_heading": ("Đổi trạng thái", "Change status"),
    "review.new_status": ("Trạng thái mới", "New status"),
    "review.reason": ("Lý do", "Reason"),
    "review.set_status": ("Đổi trạng thái", "Change status"),
    "review.status_final": (
        "Trạng thái này là cuối cùng, không đổi được nữa.",
        "This status is final; it cannot change any more.",
    ),
    "review.status_changed": ("{point_id}: trạng thái mới là {status}.", "{point_id} is now {status}."),
    "review.inspection_heading": ("Ghi kết quả kiểm tra", "Record an inspection"),
    "review.inspected_on": ("Ngày kiểm tra", "Date of the visit"),
    "review.inspector": ("Người kiểm tra", "Inspector"),
    "review.findings": ("Phát hiện", "Findings"),
    "review.mitigations": ("Biện pháp đã làm hoặc đề xuất", "Measures taken or proposed"),
    "review.record": ("Lưu kết quả kiểm tra", "Save the inspection"),
    "review.recorded": ("Đã lưu kết quả kiểm tra của {point_id}.", "Inspection of {point_id} saved."),
    "review.inspections": ("Các lần kiểm tra", "Inspections"),
    "review.no_inspections": ("Chưa có lần kiểm tra nào.", "No inspection yet."),
    "review.history": ("Lịch sử thay đổi", "History of changes"),
    "review.failed": ("Không lưu được:", "Not saved:"),
    "review.no_points": ("Kho dữ liệu chưa có điểm nguy cơ nào.", "The store holds no risk point yet."),
    "review.col.point_id": ("Mã điểm", "Point id"),
    "review.col.name": ("Tên địa điểm", "Place"),
    "review.col.water_type": ("Loại mặt nước", "Water type"),
    "review.col.risk_level": ("Mức nguy cơ", "Risk level"),
    "review.col.hazards": ("Yếu tố nguy hiểm", "Hazards"),
    "review.col.commune_id": ("Mã xã, phường", "Commune id"),
    "review.col.source": ("Người báo", "Reported by"),
    "review.col.notes": ("Ghi chú", "Notes"),
    # --- enumerations
    "water_type.sea": ("Biển", "Sea"),
    "water_type.river": ("Sông", "River"),
    "water_type.stream": ("Suối", "Stream"),
    "water_type.lake_reservoir": ("Hồ, đập", "Lake, reservoir"),
    "water_type.pond": ("Ao", "Pond"),
    "water_type.canal": ("Kênh, mương", "Canal, ditch"),
    "water_type.pit_quarry": ("Hố, moong khai thác", "Pit, quarry"),
    "water_type.well": ("Giếng", "Well"),
    "water_type.other": ("Khác", "Other"),
    "risk_level.black_spot": ("Điểm đen", "Black spot"),
    "risk_level.high": ("Cao", "High"),
    "risk_level.medium": ("Trung bình", "Medium"),
    "risk_level.low": ("Thấp", "Low"),
    "status.pending": ("Chờ duyệt", "Pending"),
    "status.active": ("Đang theo dõi", "Active"),
    "status.rejected": ("Bị từ chối", "Rejected"),
    "status.mitigated": ("Đã khắc phục", "Mitigated"),
    "status.retired": ("Đã loại bỏ", "Retired"),
    "hazard.deep_water": ("Nước sâu", "Deep water"),
    "hazard.steep_bank": ("Bờ dốc", "Steep bank"),
    "hazard.strong_current": ("Dòng chảy mạnh", "Strong current"),
    "hazard.tidal_flow": ("Thuỷ triều", "Tidal flow"),
    "hazard.slippery_edge": ("Bờ trơn trượt", "Slippery edge"),
    "hazard.mud_bottom": ("Đáy bùn lầy", "Muddy bottom"),
    "hazard.no_fence": ("Không có rào chắn", "No fence"),
    "hazard.no_warning_sign": ("Không có biển cảnh báo", "No warning sign"),
    "hazard.no_rescue_equipment": ("Không có dụng cụ cứu hộ", "No rescue equipment"),
    "hazard.unsupervised_swimming": ("Trẻ tắm không có người trông", "Unsupervised swimming"),
    "hazard.near_school": ("Gần trường học", "Near a school"),
    "hazard.near_homes": ("Gần khu dân cư", "Near homes"),
    "hazard.boat_traffic": ("Tàu thuyền qua lại", "Boat traffic"),
    "hazard.flash_flood": ("Lũ quét", "Flash floods"),
    "hazard.other": ("Khác", "Other"),
    "coverage.both": ("Có lớp dạy bơi và tập huấn cứu hộ", "Swimming class and rescue training"),
    "coverage.swim_only": ("Chỉ có lớp dạy bơi", "Swimming class only"),
    "coverage.rescue_only": ("Chỉ có tập huấn cứu hộ", "Rescue training only"),
    "coverage.neither": ("Chưa được bao phủ", "Neither"),
    "venue_type.pool": ("Bể bơi", "Pool"),
    "venue_type.portable_pool": ("Bể bơi di động", "Portable pool"),
    "venue_type.river_enclosure": ("Khu bơi quây trên sông", "River enclosure"),
    "venue_type.sea_beach": ("Bãi biển", "Beach"),
    "venue_type.lake": ("Hồ", "Lake"),
    "audience.children": ("Trẻ em", "Children"),
    "audience.parents": ("Cha mẹ", "Parents"),
    "audience.teachers": ("Giáo viên", "Teachers"),
    "audience.community": ("Cộng đồng", "Community"),
    "audience.lifeguards": ("Nhân viên cứu hộ", "Lifeguards"),
    "play_kind.playground": ("Sân chơi", "Playground"),
    "play_kind.cultural_house": ("Nhà văn hoá", "Cultural house"),
    "play_kind.school_yard": ("Sân trường", "School yard"),
    "play_kind.sports_ground": ("Sân thể thao", "Sports ground"),
    "play_kind.park": ("Công viên", "Park"),
    "unit_type.xã": ("Xã", "Commune"),
    "unit_type.phường": ("Phường", "Ward"),
    "unit_type.đặc khu": ("Đặc khu", "Special zone"),
    "unit_type.thị trấn": ("Thị trấn", "Township"),
    "basemap.none": (
        "Không có (chỉ lớp vector, dùng được khi mất mạng)",
        "None (vector layers, works offline)",
    ),
    "basemap.osm": ("OpenStreetMap", "OpenStreetMap"),
    "basemap.satellite": ("Ảnh vệ tinh (Esri)", "Satellite (Esri)"),
}

#: ``{key: {language: text}}`` for every key; the single source of UI text.
TRANSLATIONS: Final[dict[str, dict[str, str]]] = {
    key: dict(zip(LANGUAGES, texts, strict=True)) for key, texts in _ENTRIES.items()
}


def t(key: str, lang: str, **values: object) -> str:
    """Return the text for ``key`` in ``lang``, with ``{placeholders}`` filled in.

    Parameters
    ----------
    key
        A key of :data:`TRANSLATIONS`, e.g. ``"legend.title"``.
    lang
        ``"vi"`` or ``"en"``.
    **values
        Values for the placeholders in the text.

    Raises
    ------
    SchemaError
        For an unknown language or key.
    """
    _check_language(lang)
    try:
        text = TRANSLATIONS[key][lang]
    except KeyError:
        msg = f"No text for '{key}' in the translation table (hotspots/i18n.py)."
        raise SchemaError(msg) from None
    return text.format(**values) if values else text


def label(field: str, value: object, lang: str) -> str:
    """Return the label of one value of an enumeration, e.g. ``label("water_type", "sea", "vi")``.

    A value without a label (data from a newer schema, say) is shown as it is
    rather than hiding the point.
    """
    key = f"{field}.{value}"
    if key in TRANSLATIONS:
        return t(key, lang)
    _check_language(lang)
    return str(value)


def format_number(value: float, lang: str, *, decimals: int = 0) -> str:
    """Format a number the local way: ``1.234,5`` in Vietnamese, ``1,234.5`` in English."""
    _check_language(lang)
    text = f"{value:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_share(share: float | None, lang: str) -> str:
    """Format a share (0–1) as a whole percentage; ``—`` when undefined."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        _check_language(lang)
        return "—"
    return f"{format_number(100 * share, lang)} %" if lang == "vi" else f"{format_number(100 * share, lang)}%"


def format_distance(metres: float | None, lang: str) -> str:
    """Format a distance: metres below 1 km, kilometres with one decimal above; ``—`` when unknown."""
    if metres is None or math.isnan(metres):
        _check_language(lang)
        return "—"
    if metres < 1000:
        return f"{format_number(metres, lang)} m"
    return f"{format_number(metres / 1000, lang, decimals=1)} km"


def format_date(value: date | None, lang: str) -> str:
    """Format a date: ``14/03/2025`` in Vietnamese, ``14 Mar 2025`` in English; ``—`` when unknown."""
    _check_language(lang)
    return "—" if value is None else value.strftime(DATE_FORMATS[lang])


def _check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        msg = f"Unknown language '{lang}'; the app speaks: {', '.join(LANGUAGES)}."
        raise SchemaError(msg)


# --------------------------------------------------------------------------------------
# Messages about problems in the data (validation, files, the store)


@dataclass(frozen=True)
class Phrase:
    """A piece of a problem message that is itself translated (e.g. "feature #3", "a list").

    Used as a value in a problem's ``params``; :func:`problem_text` renders it in the
    reader's language, ``str()`` gives the English text.
    """

    code: str
    params: Mapping[str, object] = dataclasses.field(default_factory=dict, hash=False)

    def __str__(self) -> str:
        return _render(self.code, "en", self.params)


# code: (English, Vietnamese). The English text is what the library puts in Problem.message
# and in exception messages, so tests and logs match it; both share the same {placeholders}.
_PROBLEM_ENTRIES: Final[dict[str, tuple[str, str]]] = {
    # --- the file as a whole
    "not_utf8": (
        "The file was not saved as UTF-8: it was read as Windows-1258 (legacy Vietnamese) and "
        "converted. Check that the diacritics look right, and save as UTF-8 next time.",
        "Tệp không lưu theo mã UTF-8: đã đọc theo mã Windows-1258 (tiếng Việt kiểu cũ) và chuyển "
        "đổi. Hãy kiểm tra dấu tiếng Việt, và lần sau lưu tệp theo UTF-8.",
    ),
    "text_unreadable": (
        "The file's text cannot be read: it is not UTF-8, UTF-16 or Windows-1258 (legacy "
        "Vietnamese). Save it as UTF-8 and try again.",
        "Không đọc được chữ trong tệp: tệp không theo mã UTF-8, UTF-16 hay Windows-1258. "
        "Hãy lưu tệp theo UTF-8 rồi thử lại.",
    ),
    "file_too_large": (
        "The file is {size_mb:.1f} MB; the limit is {limit_mb:g} MB. Split it into smaller files.",
        "Tệp nặng {size_mb:.1f} MB; tối đa {limit_mb:g} MB. Hãy chia thành các tệp nhỏ hơn.",
    ),
    "json_list": (
        "The file is a JSON list, not a FeatureCollection; each item was read as a feature.",
        "Tệp là một danh sách JSON, không phải FeatureCollection; mỗi mục được đọc là một điểm.",
    ),
    "json_not_geojson": (
        "The file is JSON but not GeoJSON (it holds a single {kind}); expected a "
        'FeatureCollection: {{"type": "FeatureCollection", "features": [...]}}.',
        "Tệp là JSON nhưng không phải GeoJSON (chỉ chứa một giá trị {kind}); cần dạng "
        'FeatureCollection: {{"type": "FeatureCollection", "features": [...]}}.',
    ),
    "single_feature": (
        "The file is a single Feature, not a FeatureCollection; it was read as a collection of one feature.",
        "Tệp chỉ có một Feature, không phải FeatureCollection; đã đọc như danh sách có một điểm.",
    ),
    "bare_geometry_file": (
        "The file is a bare {kind} geometry, not a FeatureCollection; it was wrapped in a feature "
        "without properties.",
        "Tệp chỉ có một hình {kind}, không phải FeatureCollection; đã đọc thành một điểm không có thông tin.",
    ),
    "not_feature_collection": (
        "The file is JSON but not a GeoJSON FeatureCollection (type: {shown}); expected "
        '{{"type": "FeatureCollection", "features": [...]}}.',
        "Tệp là JSON nhưng không phải GeoJSON FeatureCollection (loại: {shown}); cần dạng "
        '{{"type": "FeatureCollection", "features": [...]}}.',
    ),
    "no_features": (
        "There are no features to check: the file holds an empty list.",
        "Không có điểm nào để kiểm tra: tệp chỉ có danh sách rỗng.",
    ),
    "unknown_crs": (
        "The coordinates are in the reference system {crs}, which is not known, so the points "
        "cannot be placed on the map. Use longitude/latitude (EPSG:4326), or declare a known system "
        "such as EPSG:32648 (UTM 48N) or EPSG:3405 (VN-2000 / UTM 48N).",
        "Toạ độ theo hệ quy chiếu {crs}, hệ này không nhận ra được nên không đặt được điểm lên bản đồ. "
        "Hãy dùng kinh độ/vĩ độ (EPSG:4326), hoặc ghi rõ một hệ đã biết như EPSG:32648 (UTM 48N) "
        "hay EPSG:3405 (VN-2000 / UTM 48N).",
    ),
    "crs_converted": (
        "Coordinates were in {crs} ({crs_name}) and were converted to longitude/latitude (EPSG:4326).",
        "Toạ độ theo hệ {crs} ({crs_name}) đã được đổi sang kinh độ/vĩ độ (EPSG:4326).",
    ),
    "no_province_outline": (
        "No province outline is available, so nobody checked that the features lie inside the province.",
        "Không có ranh giới tỉnh nên chưa kiểm tra được các điểm có nằm trong tỉnh hay không.",
    ),
    "gpkg_many_layers": (
        "The GeoPackage has {count} layers; layer '{layer}' was read.",
        "Tệp GeoPackage có {count} lớp; đã đọc lớp '{layer}'.",
    ),
    "gpkg_no_crs": (
        "The GeoPackage layer declares no reference system; it was read as longitude/latitude.",
        "Lớp GeoPackage không ghi hệ quy chiếu; đã đọc như kinh độ/vĩ độ.",
    ),
    "file_empty": ("The file is empty: there is nothing to read.", "Tệp trống: không có gì để đọc."),
    "json_too_deep": (
        "The file is nested {depth} levels deep (brackets inside brackets); the limit is {limit}. "
        "It is not a map file we can read.",
        "Tệp lồng nhau {depth} tầng (ngoặc trong ngoặc); tối đa {limit} tầng. Đây không phải tệp bản đồ "
        "đọc được.",
    ),
    "json_invalid_at": (
        "The file is not valid JSON: {error} at line {line}, column {column}. "
        "Look for a missing comma, quote or bracket there.",
        "Tệp không đúng định dạng JSON: {error} ở dòng {line}, cột {column}. "
        "Hãy tìm chỗ thiếu dấu phẩy, dấu nháy hoặc dấu ngoặc ở đó.",
    ),
    "json_invalid": ("The file is not valid JSON: {error}.", "Tệp không đúng định dạng JSON: {error}."),
    "no_file": ("There is no file at {path}.", "Không có tệp nào ở {path}."),
    "is_folder": ("{path} is a folder, not a file.", "{path} là thư mục, không phải tệp."),
    "unsupported_format": (
        "{shown} cannot be read. Supported formats: {formats}.{hint}",
        "{shown} không đọc được. Các định dạng đọc được: {formats}.{hint}",
    ),
    "file.ending": ("Files ending in '{suffix}'", "Tệp đuôi '{suffix}'"),
    "file.named": ("The file '{name}'", "Tệp '{name}'"),
    "hint..xls": (
        " Save the sheet as .xlsx (Excel 2007 or later) and try again.",
        " Hãy lưu bảng tính dạng .xlsx (Excel 2007 trở lên) rồi thử lại.",
    ),
    "hint..kmz": (
        " A .kmz is a zipped .kml: unzip it (or export as KML) and send the .kml.",
        " Tệp .kmz là tệp .kml đã nén: hãy giải nén (hoặc xuất ra KML) rồi gửi tệp .kml.",
    ),
    "hint..shp": (
        " Convert the shapefile to GeoPackage (.gpkg) or GeoJSON first.",
        " Hãy chuyển shapefile sang GeoPackage (.gpkg) hoặc GeoJSON trước.",
    ),
    "hint..zip": (" Unzip it and send the file inside.", " Hãy giải nén rồi gửi tệp bên trong."),
    "csv_unreadable": ("The CSV file cannot be read: {error}.", "Không đọc được tệp CSV: {error}."),
    "table_empty": (
        "The table is empty: there is no heading row and no data.",
        "Bảng trống: không có dòng tiêu đề và không có dữ liệu.",
    ),
    "xlsx_unreadable": (
        "The file is not a readable Excel .xlsx workbook ({error}).",
        "Tệp không phải bảng tính Excel .xlsx đọc được ({error}).",
    ),
    "sheet_empty": (
        "The first sheet of the workbook is empty: there is no heading row and no data.",
        "Trang tính đầu tiên trống: không có dòng tiêu đề và không có dữ liệu.",
    ),
    "kml_no_placemarks": (
        "The KML file has no placemarks.",
        "Tệp KML không có điểm đánh dấu (placemark) nào.",
    ),
    "gpx_no_waypoints": (
        "The GPX file has no waypoints (only tracks or routes). Mark each place as a waypoint "
        "in the GPS app and export again.",
        "Tệp GPX không có điểm đánh dấu (waypoint), chỉ có đường đi. Hãy đánh dấu mỗi nơi là một "
        "waypoint trong ứng dụng GPS rồi xuất lại.",
    ),
    "gpkg_no_layers": ("The GeoPackage has no layers.", "Tệp GeoPackage không có lớp nào."),
    "not_map_data": (
        "The file cannot be read as map data: {error}",
        "Không đọc được tệp như dữ liệu bản đồ: {error}",
    ),
    "no_lat_lon_columns": (
        "No latitude/longitude columns found. Name them 'latitude' and 'longitude' (also accepted: "
        "'vĩ độ'/'kinh độ', 'lat'/'lon'/'lng', 'y'/'x', or one 'tọa độ' column like "
        "'21.0123, 107.0456'). Columns found: {columns}.",
        "Không tìm thấy cột vĩ độ/kinh độ. Hãy đặt tên cột là 'vĩ độ' và 'kinh độ' (cũng nhận "
        "'latitude'/'longitude', 'lat'/'lon'/'lng', 'y'/'x', hoặc một cột 'tọa độ' dạng "
        "'21.0123, 107.0456'). Các cột có trong tệp: {columns}.",
    ),
    # --- one feature: its shape
    "not_a_feature": (
        "is not a GeoJSON Feature object (found {kind})",
        "Không phải đối tượng GeoJSON Feature (gặp {kind}).",
    ),
    "bare_geometry_feature": (
        "is a bare {kind} geometry; it was wrapped in a feature",
        "Chỉ là một hình {kind}; đã được đọc thành một điểm.",
    ),
    "bad_properties": (
        "'properties' must be an object of names and values, not {kind}",
        "Mục 'properties' phải là một bảng tên và giá trị, không phải {kind}.",
    ),
    "geometry_null": (
        "has no location: the geometry is null",
        "Không có vị trí: thiếu toạ độ.",
    ),
    "geometry_not_object": (
        "the geometry must be a GeoJSON object, not {kind}",
        "Vị trí phải là đối tượng GeoJSON, không phải {kind}.",
    ),
    "unknown_geometry_type": (
        "geometry type {shown} is not a GeoJSON geometry type; this layer takes {accepted}",
        "Loại hình {shown} không phải loại hình GeoJSON; lớp này nhận {accepted}.",
    ),
    "wrong_geometry_type": (
        "the geometry is a {kind}, but layer '{layer}' takes {accepted} only",
        "Hình là {kind}, nhưng lớp '{layer}' chỉ nhận {accepted}.",
    ),
    "coordinates_not_nested": (
        "the coordinates are missing or not nested as the geometry type requires",
        "Thiếu toạ độ, hoặc toạ độ không đúng cấu trúc của loại hình.",
    ),
    "position_needs_two": (
        "a position needs two numbers, longitude then latitude",
        "Mỗi vị trí cần hai số: kinh độ trước, vĩ độ sau.",
    ),
    "coordinate_missing": ("a coordinate is missing (empty)", "Thiếu một toạ độ (ô trống)."),
    "coordinate_not_number": ("coordinate {value} is not a number", "Toạ độ {value} không phải là số."),
    "coordinates_as_text": (
        "coordinates were written as text; they were converted to numbers",
        "Toạ độ được ghi dạng chữ; đã đổi thành số.",
    ),
    "coordinate_nan": ("a coordinate is NaN (not a number)", "Có toạ độ là NaN (không phải số)."),
    "coordinate_infinite": ("a coordinate is infinite", "Có toạ độ vô cực."),
    "height_dropped": (
        "height dropped: the coordinates had a third value (height), which the map does not use",
        "Đã bỏ độ cao: toạ độ có số thứ ba (độ cao), bản đồ không dùng số này.",
    ),
    "multipoint_many": (
        "the geometry is a MultiPoint of {count} points; this layer takes one Point each",
        "Hình gồm {count} điểm (MultiPoint); lớp này chỉ nhận mỗi dòng một điểm.",
    ),
    "multipoint_one": (
        "a MultiPoint of one point was read as a Point",
        "MultiPoint có một điểm đã được đọc thành một điểm.",
    ),
    "shape_cannot_draw": (
        "the {kind} cannot be drawn: a ring needs at least 4 positions and a line at least 2",
        "Không vẽ được hình {kind}: vòng cần ít nhất 4 vị trí, đường cần ít nhất 2.",
    ),
    "shape_empty": ("the {kind} is empty", "Hình {kind} rỗng."),
    "shape_no_area": (
        "the {kind} has no area (its outline folds onto itself)",
        "Hình {kind} không có diện tích (đường viền chập vào nhau).",
    ),
    "outline_repaired": (
        "the outline crossed itself and was repaired",
        "Đường viền tự cắt nhau và đã được sửa.",
    ),
    # --- one feature: where it is
    "swapped": (
        "latitude and longitude look swapped: ({x:.8g}, {y:.8g}) is far away, but ({y:.8g}, {x:.8g}) "
        "lies inside the province. GeoJSON lists longitude first; swap the two values (or columns).",
        "Có vẻ vĩ độ và kinh độ bị đảo ngược: ({x:.8g}, {y:.8g}) ở rất xa, còn ({y:.8g}, {x:.8g}) "
        "nằm trong tỉnh. Hãy đổi chỗ hai số (hoặc hai cột); GeoJSON ghi kinh độ trước.",
    ),
    "projected_coordinates": (
        "coordinates ({x:.8g}, {y:.8g}) are not longitude/latitude: these look like metres (projected "
        "coordinates); say which CRS, e.g. EPSG:32648 (UTM 48N) or EPSG:3405 (VN-2000), or convert "
        "them to longitude/latitude",
        "Toạ độ ({x:.8g}, {y:.8g}) không phải kinh độ/vĩ độ mà giống số mét (toạ độ phẳng); hãy ghi rõ "
        "hệ quy chiếu, ví dụ EPSG:32648 (UTM 48N) hay EPSG:3405 (VN-2000), hoặc đổi sang kinh độ/vĩ độ.",
    ),
    "impossible_latitude": (
        "latitude {y:g} is impossible (it must be between -90 and 90); are latitude and longitude "
        "swapped? GeoJSON lists longitude first",
        "Vĩ độ {y:g} không thể có (phải từ -90 đến 90); có phải vĩ độ và kinh độ bị đảo ngược? "
        "GeoJSON ghi kinh độ trước.",
    ),
    "outside_province": (
        "lies {distance_km:.1f} km outside the province (only {tolerance_m:g} m is allowed, for the "
        "coast); check the coordinates ({x:.8g}, {y:.8g})",
        "Điểm nằm ngoài tỉnh, cách ranh giới {distance_km:.1f} km (chỉ cho phép {tolerance_m:g} m, "
        "cho vùng ven biển); hãy kiểm tra toạ độ ({x:.8g}, {y:.8g}).",
    ),
    "outside_province_far": (
        "lies very far outside the province (only {tolerance_m:g} m is allowed, for the coast); "
        "check the coordinates ({x:.8g}, {y:.8g})",
        "Điểm nằm rất xa, ngoài tỉnh (chỉ cho phép {tolerance_m:g} m, cho vùng ven biển); "
        "hãy kiểm tra toạ độ ({x:.8g}, {y:.8g}).",
    ),
    "same_place": (
        "is at exactly the same place as {who}: probably the same place entered twice",
        "Trùng đúng vị trí với {who}: có lẽ một nơi đã được nhập hai lần.",
    ),
    "too_close": (
        "is only {distance_m:.1f} m from {who}: probably the same place entered twice "
        "(points must be at least {min_m:g} m apart)",
        "Quá gần {who} (chỉ cách {distance_m:.1f} m): có lẽ một nơi đã được nhập hai lần "
        "(các điểm phải cách nhau ít nhất {min_m:g} m).",
    ),
    "who.feature": ("feature #{number}", "điểm #{number}"),
    "who.feature_id": ("feature #{number} (id {id})", "điểm #{number} (mã {id})"),
    "who.stored": ("a stored point", "một điểm đã có trong kho"),
    "who.stored_id": ("a stored point (id {id})", "điểm {id} đã có trong kho"),
    # --- one feature: ids and communes
    "duplicate_id": (
        "id {id} is used more than once: feature #{other} has it too",
        "Mã {id} bị dùng nhiều lần: điểm #{other} cũng có mã này.",
    ),
    "id_already_stored": (
        "id {id} is already used by a stored feature; give this one a new id",
        "Mã {id} đã có trong kho dữ liệu; hãy đặt mã khác cho điểm này.",
    ),
    "unknown_commune": (
        "commune_id {value} is not one of the {count} communes on the map (for example {examples}); "
        "leave it empty to fill it from the map",
        "Mã xã {value} không thuộc {count} xã, phường trên bản đồ (ví dụ {examples}); "
        "để trống thì mã sẽ được lấy theo bản đồ.",
    ),
    "no_commune_found": (
        "commune_id is missing and the place lies in no commune on the map",
        "Thiếu mã xã và vị trí không nằm trong xã, phường nào trên bản đồ.",
    ),
    "commune_filled": (
        "commune_id was missing; filled from the map: {commune_id} ({name})",
        "Thiếu mã xã; đã điền theo bản đồ: {commune_id} ({name}).",
    ),
    "end_before_start": (
        "end_date {end} is before start_date {start}",
        "Ngày kết thúc {end} trước ngày bắt đầu {start}.",
    ),
    # --- one feature: values
    "required_missing": (
        "required field '{name}' is missing or empty",
        "Thiếu trường bắt buộc '{name}'.",
    ),
    "below_minimum": (
        "must be at least {minimum:g} (got {value:g})",
        "Phải từ {minimum:g} trở lên (đang là {value:g}).",
    ),
    "not_text": ("must be text, not {kind}", "Phải là chữ, không phải {kind}."),
    "text_too_long": (
        "is {length:,} characters long; the limit is {limit:,}",
        "Dài {length} ký tự; tối đa {limit} ký tự.",
    ),
    "control_chars": (
        "invisible control characters were removed",
        "Đã xoá các ký tự điều khiển không nhìn thấy.",
    ),
    "html_like": (
        "looks like HTML or a script; it is kept as plain text (shown as typed, never run)",
        "Giống mã HTML hoặc script; được giữ như chữ thường (hiện đúng như đã gõ, không bao giờ chạy).",
    ),
    "not_allowed": (
        "{value} is not an allowed value; allowed: {allowed}{hint}",
        "Giá trị {value} không hợp lệ; các giá trị được chấp nhận: {allowed}{hint}.",
    ),
    "items_not_allowed": (
        "{items} not allowed; allowed: {allowed}{hint}",
        "Giá trị {items} không hợp lệ; các giá trị được chấp nhận: {allowed}{hint}.",
    ),
    "hint.vietnamese_words": (
        " (Vietnamese words such as {examples} are accepted too)",
        " (cũng nhận chữ tiếng Việt như {examples})",
    ),
    "not_list": (
        "must be a list or text like 'a; b', not {kind}",
        "Phải là danh sách hoặc chữ dạng 'a; b', không phải {kind}.",
    ),
    "not_date_kind": (
        "must be a date like 2025-06-30 or 30/06/2025, not {kind}",
        "Phải là ngày dạng 30/06/2025 hoặc 2025-06-30, không phải {kind}.",
    ),
    "not_date": (
        "{value} is not a date; write YYYY-MM-DD (2025-06-30) or DD/MM/YYYY (30/06/2025)",
        "{value} không phải là ngày; hãy ghi NN/TT/NNNN (30/06/2025) hoặc NNNN-TT-NN (2025-06-30).",
    ),
    "bad_month": (
        "{value} is not a real date: month {month} does not exist (dates are read day first)",
        "{value} không phải ngày có thật: không có tháng {month} (ngày được đọc theo thứ tự ngày/tháng/năm).",
    ),
    "bad_day": (
        "{value} is not a real date: {month_name} {year} has {days} days",
        "{value} không phải ngày có thật: {month_name} năm {year} chỉ có {days} ngày.",
    ),
    "not_yes_no": (
        "{value} is not yes or no; write có/không, yes/no, true/false or 1/0",
        "{value} không phải có hay không; hãy ghi có/không, yes/no, true/false hoặc 1/0.",
    ),
    "not_whole": ("{value} is not a whole number", "{value} không phải số nguyên."),
    "not_number": ("{value} is not a number", "{value} không phải là số."),
    "not_number_kind": ("must be a number, not {kind}", "Phải là số, không phải {kind}."),
    "not_finite": ("{value} is not a finite number", "{value} không phải số hữu hạn."),
    "kind.object": ("an object", "một đối tượng"),
    "kind.list": ("a list", "một danh sách"),
    "kind.text": ("text", "chữ"),
    "kind.bool": ("true/false", "đúng/sai (true/false)"),
    "kind.null": ("null", "giá trị rỗng (null)"),
    "kind.number": ("a number", "một số"),
    "kind.no_type": ("no type", "không ghi loại"),
    # --- coordinates typed in the report form
    "lat_lon_missing": (
        "the {name} is missing; type it like {example}",
        "Chưa có {name}; hãy gõ dạng {example}.",
    ),
    "lat_lon_invalid": (
        "the {name} {value} is not a coordinate; type degrees like {example}, {example_comma} or "
        "degrees-minutes-seconds like 21°00'44\"N",
        "Giá trị {name} {value} không phải toạ độ; hãy gõ số độ dạng {example}, {example_comma} hoặc "
        "độ-phút-giây dạng 21°00'44\"N.",
    ),
    "word.latitude": ("latitude", "vĩ độ"),
    "word.longitude": ("longitude", "kinh độ"),
    # --- the store
    "id_taken": (
        "Id '{id}' is already used by another risk point; leave it empty to get a new one.",
        "Mã '{id}' đã được dùng cho điểm nguy cơ khác; để trống để được cấp mã mới.",
    ),
    "coordinates_not_numbers": (
        "Coordinates must be numbers in degrees (longitude, latitude); got {lon}, {lat}.",
        "Toạ độ phải là số độ (kinh độ, vĩ độ); đang là {lon}, {lat}.",
    ),
    "already_in_store": (
        "{count} feature(s) are already in the store (same id, or same name and place); skipped.",
        "{count} điểm đã có trong kho (trùng mã, hoặc trùng tên và vị trí); đã bỏ qua.",
    ),
    "new_point_not_pending": (
        "New risk points start as 'pending' (got '{status}'); change the status afterwards.",
        "Điểm nguy cơ mới luôn ở trạng thái chờ duyệt (đang là '{status}'); hãy đổi trạng thái sau.",
    ),
    "unknown_status": (
        "Unknown status '{status}'; statuses are: {statuses}.",
        "Không có trạng thái '{status}'; các trạng thái là: {statuses}.",
    ),
    "status_change_forbidden": (
        "Cannot change {point_id} from '{old}' to '{status}'. Allowed from '{old}': {options}.",
        "Không thể chuyển {point_id} từ '{old}' sang '{status}'. Từ '{old}' chỉ chuyển được sang: {options}.",
    ),
    "status.final_none": ("none (it is final)", "không trạng thái nào (đây là trạng thái cuối)"),
    "unknown_point": (
        "There is no risk point with id '{id}' in the store (ids look like {example}).",
        "Kho dữ liệu không có điểm nguy cơ mã '{id}' (mã có dạng {example}).",
    ),
    "unknown_feature": (
        "There is no feature of layer '{layer}' with id '{id}' in the store (ids look like {example}).",
        "Kho dữ liệu không có đối tượng mã '{id}' trong lớp '{layer}' (mã có dạng {example}).",
    ),
    "text_too_long_store": (
        "The {label} is {length} characters long; at most {limit} are accepted.",
        "Nội dung '{label}' dài {length} ký tự; tối đa {limit} ký tự.",
    ),
    "user_required": (
        "Say who makes the change (user): the history records it.",
        "Hãy ghi tên người thực hiện: lịch sử thay đổi cần ghi lại.",
    ),
    "inspection_bad_date": (
        "'{value}' is not a date; write it as YYYY-MM-DD.",
        "'{value}' không phải là ngày; hãy ghi dạng NNNN-TT-NN.",
    ),
    "date_in_future": ("{day} is in the future.", "Ngày {day} ở tương lai."),
    "say_who_inspected": ("Say who inspected.", "Hãy ghi tên người kiểm tra."),
    "say_what_found": ("Say what was found.", "Hãy ghi những gì phát hiện được."),
    "at_most_chars": ("At most {limit} characters are accepted.", "Tối đa {limit} ký tự."),
    **{f"month.{month}": (calendar.month_name[month], f"tháng {month}") for month in range(1, 13)},
}

#: ``{code: {language: template}}`` for every problem message; the English template builds
#: the library's own (English) message, so the text and its code cannot drift apart.
PROBLEM_MESSAGES: Final[dict[str, dict[str, str]]] = {
    code: dict(zip(("en", "vi"), texts, strict=True)) for code, texts in _PROBLEM_ENTRIES.items()
}

_WHERE: Final = {
    "en": ("feature #{number}", "id {id}", "field '{field}'", "{severity}: "),
    "vi": ("điểm #{number}", "mã {id}", "trường '{field}'", "{severity}: "),
}
_SEVERITIES: Final = {"vi": {"warning": "cảnh báo"}, "en": {}}
# Keys whose text names a stored field in Vietnamese, tried in order.
_FIELD_LABEL_KEYS: Final = ("review.col.{field}", "report.{field}", "review.{field}")


def message(code: str, **params: object) -> str:
    """Return the English message for ``code`` (what the library stores in ``Problem.message``).

    Raises
    ------
    SchemaError
        For a code that is not in :data:`PROBLEM_MESSAGES`.
    """
    return _render(code, "en", params)


def make_problem(
    code: str,
    *,
    index: int | None = None,
    feature_id: str | None = None,
    field: str | None = None,
    severity: str = "error",
    **params: object,
) -> Problem:
    """Build a :class:`~hotspots.errors.Problem` from the catalogue: English message, code and values."""
    return Problem(
        message(code, **params),
        index=index,
        feature_id=feature_id,
        field=field,
        severity=severity,
        code=code,
        params=params,
    )


def coded_error(error_type: type[_E], code: str, **params: object) -> _E:
    """Build an exception whose English message comes from the catalogue and which keeps its code.

    Examples
    --------
    >>> raise coded_error(StoreError, "user_required")  # doctest: +SKIP
    """
    return error_type(message(code, **params)).with_code(code, params)


def problem_message(problem: Problem | HotspotsError, lang: str) -> str:
    """Return the message of a problem (or of a coded error) in ``lang``, without where it is.

    A problem without a code (a message that has no translation yet) keeps its English text.
    """
    _check_language(lang)
    if isinstance(problem, HotspotsError):
        return str(problem) if problem.code is None else _render(problem.code, lang, problem.params)
    if problem.code is None:
        return problem.message
    return _render(problem.code, lang, problem.params)


def problem_text(problem: Problem, lang: str) -> str:
    """Return a problem as one line in ``lang``, prefixed like ``str(problem)`` with where it is.

    In English the result equals ``str(problem)``; in Vietnamese it reads, for example,
    ``điểm #3, mã QN-0042, trường 'Tên địa điểm': Thiếu trường bắt buộc 'name'.``

    Parameters
    ----------
    problem
        A problem from validation, a file reader or the store.
    lang
        ``"vi"`` or ``"en"``.
    """
    feature, ident, named, severity = _WHERE[lang] if lang in _WHERE else _WHERE["en"]
    text = problem_message(problem, lang)
    where = []
    if problem.index is not None:
        where.append(feature.format(number=problem.index + 1))
    if problem.feature_id:
        where.append(ident.format(id=problem.feature_id))
    if problem.field:
        where.append(named.format(field=field_label(problem.field, lang)))
    prefix = f"{', '.join(where)}: " if where else ""
    shown = _SEVERITIES[lang].get(problem.severity, problem.severity)
    label_ = "" if problem.severity == "error" else severity.format(severity=shown)
    return f"{label_}{prefix}{text}"


def rejection_reasons(problems: Sequence[Problem], index: int, lang: str) -> str:
    """Return why feature ``index`` was rejected, in ``lang``: the ``reasons`` of a rejected row.

    In English this is the text of the ``reasons`` column that validation writes: the file's
    own errors, then the feature's errors as ``field: message``, separated by ``"; "``.
    """
    reasons = []
    for problem in problems:
        if problem.severity != "error" or problem.index not in (None, index):
            continue
        text = problem_message(problem, lang)
        named = problem.index is not None and problem.field
        reasons.append(f"{field_label(problem.field, lang)}: {text}" if named else text)
    return "; ".join(reasons)


def field_label(field: str, lang: str) -> str:
    """Return how a field is named to the user: its label in Vietnamese, the raw name in English."""
    _check_language(lang)
    if lang == "en":
        return field
    for key in _FIELD_LABEL_KEYS:
        entry = TRANSLATIONS.get(key.format(field=field))
        if entry is not None:
            return entry[lang]
    return _FIELD_WORDS.get(field, field)


_FIELD_WORDS: Final = {
    "geometry": "vị trí",
    "audience": "đối tượng tập huấn",
    "capacity": "số chỗ",
    "children_under_16": "trẻ em dưới 16 tuổi",
    "class_id": "mã lớp",
    "date": "ngày",
    "end_date": "ngày kết thúc",
    "has_play_space": "có điểm vui chơi",
    "illustrative": "minh hoạ",
    "kind": "loại",
    "last_inspected": "ngày kiểm tra gần nhất",
    "organiser": "đơn vị tổ chức",
    "participants": "số người tham gia",
    "play_space_id": "mã điểm vui chơi",
    "province_id": "mã tỉnh",
    "start_date": "ngày bắt đầu",
    "status": "trạng thái",
    "training_id": "mã buổi tập huấn",
    "unit_type": "loại đơn vị",
    "venue_type": "loại địa điểm",
    "water_id": "mã mặt nước",
}


def _render(code: str, lang: str, params: Mapping[str, object]) -> str:
    try:
        template = PROBLEM_MESSAGES[code][lang]
    except KeyError:
        msg = f"No message '{code}' in language '{lang}' in the catalogue (hotspots/i18n.py)."
        raise SchemaError(msg) from None
    values = {k: _render(v.code, lang, v.params) if isinstance(v, Phrase) else v for k, v in params.items()}
    return template.format(**values)
