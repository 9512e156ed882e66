-- Analyst views and macros over the loaded tables. Re-created on every load.

-- Events with the document they came from and the day each event is counted on.
-- event_date is the event's own date when the text dates it to the day (granularity 'day'
-- or 'time'). An event the text dates more vaguely ('December', 'in 1999', 'the 1990s') or
-- puts before the story's time without a date (date_source = 'none': 'has previously
-- said') is counted on no day: its publication day is not when it happened. Every other
-- event (no date in the text, or the publication date standing in: date_source =
-- 'publication') is counted on its document's publication date; event_date_source says
-- which.
-- event_date_granularity is the granularity of the event's own date (NULL when the text gives
-- none), so coarse-dated events can be told apart; date_start/date_end keep their interval.
CREATE OR REPLACE VIEW events_resolved AS
SELECT
    e.*,
    d.title,
    d.published,
    d.source_uri,
    CASE WHEN e.date_granularity IN ('time', 'day') AND e.date_start IS NOT NULL
              AND e.date_source IS DISTINCT FROM 'publication' THEN e.date_start
         WHEN e.date_source = 'none'
              OR (e.date_start IS NOT NULL AND e.date_source IS DISTINCT FROM 'publication')
              THEN NULL
         ELSE d.published
    END AS event_date,
    CASE WHEN e.date_granularity IN ('time', 'day') AND e.date_start IS NOT NULL
              AND e.date_source IS DISTINCT FROM 'publication' THEN 'text'
         WHEN e.date_source = 'none'
              OR (e.date_start IS NOT NULL AND e.date_source IS DISTINCT FROM 'publication')
              THEN NULL
         WHEN d.published IS NOT NULL THEN 'published'
    END AS event_date_source,
    CASE WHEN e.date_source IS DISTINCT FROM 'publication' THEN e.date_granularity
    END AS event_date_granularity,
    s.story_id
FROM events e
JOIN documents d USING (doc_id)
LEFT JOIN story_members s USING (doc_id);

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

-- Event clusters: the mentions of one happening across the documents of one story. Two
-- events of a story are one happening when they have the same event type (the same
-- predicate lemma for an unlisted one, type 'other'), the same actor and the same target
-- (by country when it is known, else by canonical name), the same place country and the
-- same event_date. A statement is one happening only with the same words (the same
-- sentence): what is said tells one utterance from the next by the same speaker. An event
-- with neither actor nor target has nothing to tell it from other events of its kind, and
-- events of documents without a story: each is a cluster of its own.
CREATE OR REPLACE VIEW event_mentions AS
SELECT
    event_id,
    doc_id,
    story_id,
    CASE WHEN story_id IS NULL OR (actor_canonical IS NULL AND actor_country IS NULL
                                   AND target_canonical IS NULL AND target_country IS NULL)
         THEN event_id
    ELSE md5(concat_ws('|',
        story_id,
        CASE WHEN event_type = 'other' THEN predicate_lemma ELSE event_type END,
        CASE WHEN event_type = 'STATEMENT' THEN lower(sentence_text) END,
        coalesce(actor_country, lower(actor_canonical), '?'),
        coalesce(target_country, lower(target_canonical), '?'),
        coalesce(place_country, '?'),
        coalesce(CAST(event_date AS VARCHAR), '?')))[:24]
    END AS event_cluster_id
FROM events_resolved;

-- One row per event cluster: when it was first and last reported, by how many mentions,
-- documents and outlets, its representative mention (the highest-scored) and the most
-- often resolved place and most often day-dated date among its mentions.
CREATE OR REPLACE VIEW event_clusters AS
SELECT
    m.event_cluster_id,
    any_value(m.story_id) AS story_id,
    any_value(e.event_type) AS event_type,
    any_value(e.quad_class) AS quad_class,
    count(*) AS n_mentions,
    count(DISTINCT e.doc_id) AS n_documents,
    count(DISTINCT e.source) AS n_sources,
    min(e.published) AS first_published,
    max(e.published) AS last_published,
    arg_max(e.event_id, e.score) AS representative_event_id,
    arg_max(e.sentence_text, e.score) AS representative_sentence,
    mode(e.event_date) FILTER (WHERE e.event_date_source = 'text') AS event_date,
    mode(e.place_geonameid) AS place_geonameid,
    mode(e.place_name) AS place_name,
    mode(e.place_country) AS place_country
FROM event_mentions m
JOIN (SELECT er.*, d.source FROM events_resolved er JOIN documents d USING (doc_id)) e
    USING (event_id)
GROUP BY m.event_cluster_id;

-- Events per place country, day (event_date) and type; n_dated_in_text of them carry a
-- day-level date of their own (the rest are counted on their publication date; an event
-- with no day, see events_resolved, is in no row); the
-- mentions of one happening in many articles are one story (n_stories) and one event
-- cluster (n_happenings, the distinct happenings beside n_events, the mentions).
CREATE OR REPLACE VIEW daily_counts AS
SELECT
    place_country AS country,
    event_date AS day,
    event_type,
    count(*) AS n_events,
    count(*) FILTER (WHERE event_date_source = 'text') AS n_dated_in_text,
    count(DISTINCT e.story_id) AS n_stories,
    count(DISTINCT m.event_cluster_id) AS n_happenings
FROM events_resolved e JOIN event_mentions m USING (event_id)
WHERE event_date IS NOT NULL
GROUP BY ALL;

-- Stories: documents about the same real-world happening (story_members), with their first
-- and last publication date, how many documents and outlets (documents.source) report it,
-- and the first report's title and URL. A document's events are all of its story.
CREATE OR REPLACE VIEW stories AS
SELECT
    s.story_id,
    min(d.published) AS first_published,
    max(d.published) AS last_published,
    count(*) AS n_documents,
    count(*) FILTER (WHERE s.dup_of IS NULL) AS n_distinct_documents,
    count(DISTINCT d.source) AS n_sources,
    string_agg(DISTINCT d.source, ', ' ORDER BY d.source) AS sources,
    sum(d.n_events) AS n_events,
    any_value(f.title) AS title,
    any_value(f.url) AS url
FROM story_members s
JOIN documents d USING (doc_id)
LEFT JOIN documents f ON f.doc_id = s.story_id
GROUP BY s.story_id;

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
