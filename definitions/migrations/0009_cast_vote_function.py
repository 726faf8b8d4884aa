"""A PostgreSQL function that casts one vote in one round trip (definitions/votes.py).

It does what the portable path of cast_vote does, statement for statement: lock the published
distinction, read the visitor's vote (each statement of a PL/pgSQL function sees what was
committed before it, so after the lock it sees every earlier vote), write the vote, move the
stored counts and score. A withdrawn vote is deleted by the portable path instead (the function
answers that it did nothing), so Django's on_delete handling of the rows pointing at the vote
applies. Other databases have no such function and use the portable path.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION smsn_cast_vote(
    p_distinction bigint, p_visitor uuid, p_ip_hash varchar, p_value smallint
) RETURNS TABLE (
    o_comparison_id bigint, o_comparison_slug varchar, o_source_id bigint,
    o_axis_a varchar, o_axis_b varchar, o_text_a text, o_created timestamptz,
    o_upvotes integer, o_downvotes integer, o_score double precision, o_value smallint,
    o_changed boolean
) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    d record;
    v record;
    v_before smallint := 0;
    v_up integer;
    v_down integer;
    v_n integer;
    v_phat double precision;
    v_score double precision;
    z constant double precision := 1.96;
BEGIN
    SELECT dd.id, dd.comparison_id, c.slug, dd.source_id, dd.axis_a, dd.axis_b, dd.text_a,
           dd.created, dd.upvotes, dd.downvotes, dd.score
      INTO d
      FROM definitions_distinction dd
      JOIN definitions_comparison c ON c.id = dd.comparison_id
     WHERE dd.id = p_distinction AND dd.status = 'published' AND c.is_published
       FOR UPDATE OF dd;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT vv.id, vv.value, vv.is_void INTO v
      FROM definitions_vote vv
     WHERE vv.distinction_id = d.id AND vv.visitor_id = p_visitor;
    IF FOUND THEN
        v_before := v.value;
    END IF;
    IF (FOUND AND v.is_void) OR p_value = v_before THEN
        RETURN QUERY SELECT d.comparison_id, d.slug, d.source_id, d.axis_a, d.axis_b, d.text_a,
            d.created, d.upvotes, d.downvotes, d.score, v_before, false;
        RETURN;
    END IF;
    IF p_value = 0 THEN
        -- Withdrawn: Django deletes the vote, and with it what other apps keep about it
        -- (on_delete), which this function cannot know. Nothing done; the caller does it.
        RETURN QUERY SELECT d.comparison_id, d.slug, d.source_id, d.axis_a, d.axis_b, d.text_a,
            d.created, d.upvotes, d.downvotes, d.score, v_before, NULL::boolean;
        RETURN;
    ELSIF v_before = 0 THEN
        INSERT INTO definitions_vote
            (distinction_id, visitor_id, ip_hash, value, is_void, created, updated)
        VALUES (d.id, p_visitor, p_ip_hash, p_value, false, now(), now());
    ELSE
        UPDATE definitions_vote SET value = p_value, ip_hash = p_ip_hash, updated = now()
         WHERE id = v.id;
    END IF;
    v_up := d.upvotes + (p_value = 1)::integer - (v_before = 1)::integer;
    v_down := d.downvotes + (p_value = -1)::integer - (v_before = -1)::integer;
    -- definitions.models.wilson_lower_bound, operation for operation.
    v_n := v_up + v_down;
    IF v_n = 0 THEN
        v_score := 0.0;
    ELSE
        v_phat := v_up::double precision / v_n;
        v_score := (v_phat + z * z / (2 * v_n)
                    - z * sqrt((v_phat * (1 - v_phat) + z * z / (4 * v_n)) / v_n))
                   / (1 + z * z / v_n);
    END IF;
    UPDATE definitions_distinction
       SET upvotes = v_up, downvotes = v_down, score = v_score
     WHERE id = d.id;
    RETURN QUERY SELECT d.comparison_id, d.slug, d.source_id, d.axis_a, d.axis_b, d.text_a,
        d.created, v_up, v_down, v_score, p_value, true;
END;
$$;
"""

DROP = "DROP FUNCTION IF EXISTS smsn_cast_vote(bigint, uuid, varchar, smallint);"


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("definitions", "0008_editors_group")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
