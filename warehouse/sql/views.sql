-- Analyst views and macros over the loaded tables. Re-created on every load.

-- Events with the document they came from; the event's own date when it has one,
-- else the publication date (event_date_source says which).
CREATE OR REPLACE VIEW events_resolved AS
SELECT
    e.*,
    d.title,
    d.published,
    d.source_uri,
    COALESCE(e.date_start, d.published) AS event_date,
    CASE WHEN e.date_start IS NOT NULL THEN 'text'
         WHEN d.published IS NOT NULL THEN 'published'
    END AS event_date_source
FROM events e
JOIN documents d USING (doc_id);

-- Who acts on whom, with counts: canonical actor and target names.
CREATE OR REPLACE VIEW actor_pairs AS
SELECT
    actor_canonical AS actor,
    actor_country,
    target_canonical AS target,
    target_country,
    count(*) AS n_events,
    min(event_date) AS first_date,
    max(event_date) AS last_date
FROM events_resolved
WHERE actor_canonical IS NOT NULL AND target_canonical IS NOT NULL
GROUP BY ALL;

-- actor_pairs per calendar month of event_date: "top actor pairs in March 2021".
CREATE OR REPLACE VIEW actor_pairs_monthly AS
SELECT
    date_trunc('month', event_date)::DATE AS month,
    actor_canonical AS actor,
    actor_country,
    target_canonical AS target,
    target_country,
    count(*) AS n_events
FROM events_resolved
WHERE actor_canonical IS NOT NULL AND target_canonical IS NOT NULL AND event_date IS NOT NULL
GROUP BY ALL;

-- Events per place country, day and type.
CREATE OR REPLACE VIEW daily_counts AS
SELECT
    place_country AS country,
    event_date AS day,
    event_type,
    count(*) AS n_events
FROM events_resolved
WHERE event_date IS NOT NULL
GROUP BY ALL;

-- Great-circle distance in km between two points given in degrees.
CREATE OR REPLACE MACRO haversine_km(lat1, lon1, lat2, lon2) AS
    2 * 6371.0088 * asin(sqrt(
        pow(sin(radians(lat2 - lat1) / 2), 2)
        + cos(radians(lat1)) * cos(radians(lat2)) * pow(sin(radians(lon2 - lon1) / 2), 2)));

-- Events whose resolved place lies within km of (lat, lon). The latitude band (1 degree of
-- latitude is at least 110.5 km) is a cheap pre-filter before the exact distance.
CREATE OR REPLACE MACRO events_near(lat, lon, km) AS TABLE
SELECT *, haversine_km(place_lat, place_lon, lat, lon) AS distance_km
FROM events_resolved
WHERE place_lat BETWEEN lat - km / 110.5 AND lat + km / 110.5
  AND haversine_km(place_lat, place_lon, lat, lon) <= km;
