"""The one translation table of the app (Vietnamese and English) and locale formatting.

Every text a user reads — labels, legend, popup headings, metric names, messages —
comes from :func:`t`. The language is always an argument (a Streamlit session
keeps it in its own state); nothing here remembers a current language.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Final

from hotspots.errors import SchemaError
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
