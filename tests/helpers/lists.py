"""Small screening list files (OFAC SDN with its address and alias files, a CSL row) and a server for them."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

SDN = (
    b'36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    b'173,"ANGLO-CARIBBEAN CO., LTD.",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    b'2674,"ABBAS, Abu","individual","SDT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 10 Dec 1948."\r\n\x1a'
)
ADD = (
    b'36,25,-0- ,"Havana",Cuba,-0- \r\n'
    b'173,129,"Ibex House, The Minories","London EC3N 1DY","United Kingdom",-0- \r\n\x1a'
)
ALT = b'36,12,"aka","AERO-CARIBBEAN",-0- \r\n2674,1,"aka","ABBAS, Muhammad",-0- \r\n\x1a'
CSL_HEADER = (
    "_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,"
    "standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,"
    "vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,"
    "places_of_birth,source_information_url,ids"
)


def csl_row(**values: str) -> str:
    cols = CSL_HEADER.split(",")
    return ",".join(f'"{values.get(c, "")}"' for c in cols)


class ListFiles(BaseHTTPRequestHandler):
    """Serves `files` by name (a list mirror for `rigport lists update --url`); names in `truncate` are cut short."""

    files: dict[str, bytes] = {}
    truncate: set[str] = set()

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        name = self.path.rsplit("/", 1)[-1]
        data = self.files.get(name)
        if data is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2] if name in self.truncate else data)
        self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass
