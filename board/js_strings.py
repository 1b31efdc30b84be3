"""Every string the page modules show, translated on the server and handed to the JS.

Templates render these into ``<script type="application/json" id="i18n">``; the modules
read them with ``t(key, params)`` from ``static/js/i18n.js``. Add a key here before using
it in JS. ``{name}`` is a placeholder the JS fills in; a ``key_one`` / ``key_other`` pair
is a plural, chosen by ``tn(key, count)``.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

JS_STRINGS = {
    # Post kinds, as the composer words them (the same messages as pages.KIND_LABELS).
    "kind_idea": _l("I have an idea"),
    "kind_skill": _l("I can help with…"),
    "kind_tool": _l("I can lend…"),
    "kind_need": _l("I need…"),
    # Cards
    "anonymous": _l("Anonymous"),
    "support": _l("Support"),
    "supporters_one": _l("supporter"),
    "supporters_other": _l("supporters"),
    "edit": _l("Edit"),
    "delete": _l("Delete"),
    "send": _l("Send"),
    "add_comment": _l("Add a comment"),
    "comment_on": _l("Comment on “{title}”"),
    "new_badge": _l("New"),
    "sending": _l("Sending…"),
    "deleting": _l("Deleting…"),
    "confirm_delete": _l("Delete this post and its comments?"),
    # The inline edit form
    "what_posting": _l("What are you posting?"),
    "title": _l("Title"),
    "more_detail": _l("More detail"),
    "theme": _l("Theme"),
    "no_theme": _l("No theme"),
    "save_changes": _l("Save changes"),
    "cancel": _l("Cancel"),
    # The feed
    "joined": _l("{count} joined"),
    "here_now": _l("{count} here now"),
    "new_since_visit_one": _l("1 new post since your last visit"),
    "new_since_visit_other": _l("{count} new posts since your last visit"),
    "showing_one": _l("Showing 1 post"),
    "showing_other": _l("Showing {count} posts"),
    "feed_empty": _l("Nothing here yet."),
    "feed_no_match": _l("No posts match these filters."),
    "filters_cleared": _l("Filters cleared so you can see your post."),
    # Announcements (read out politely, never a flood)
    "new_post": _l("New post: {title}"),
    "more_new_posts": _l("{count} more new posts"),
    "more_new_posts_one": _l("1 more new post"),
    "more_new_posts_other": _l("{count} more new posts"),
    "post_sent": _l("Your post is on the board."),
    "post_deleted": _l("Post deleted."),
    "deleted_elsewhere": _l("That post was deleted."),
    "failed": _l("That did not work. Please try again."),
    # Offers, "I can help", groups and suggestions (cards and the group page)
    "when_label": _l("When:"),
    "when_optional": _l("When? (optional)"),
    "who_can_help": _l("Who can help"),
    "just_me": _l("Just me"),
    "just_me_helper": _l("just me"),
    "can_help": _l("I can help"),
    "how_help": _l("How can you help?"),
    "offer_help": _l("Offer help"),
    "withdraw_help": _l("Withdraw my help"),
    "im_in": _l("I\u2019m in"),
    "leave_group": _l("Leave the group"),
    "group_label": _l("Group:"),
    "group_closed": _l("This group has closed."),
    "group_name_label": _l("Your name in the group (optional)"),
    "group_name_hint": _l("Leave it empty to be listed as an anonymous member."),
    "members_one": _l("{count} member"),
    "members_other": _l("{count} members"),
    "anonymous_members_one": _l("{count} anonymous member"),
    "anonymous_members_other": _l("{count} anonymous members"),
    "anonymous_member": _l("An anonymous member"),
    "an_anonymous_member": _l("an anonymous member"),
    "coordinator": _l("coordinator"),
    "you": _l("you"),
    "suggested_helpers": _l("Suggested helpers"),
    "browse_offers": _l("Browse all offers and needs"),
    "suggestions_loading": _l("Looking for offers that could help…"),
    "suggestions_found_one": _l("1 offer could help."),
    "suggestions_found_other": _l("{count} offers could help."),
    "no_suggestions": _l("No offers on the board match this yet."),
    "suggestions_failed": _l("Suggestions could not be loaded. Please try again."),
    "why": _l("Why: {why}"),
    "help_sent": _l("Thank you: you are listed as someone who can help."),
    "help_withdrawn": _l("Your offer of help is withdrawn."),
    "helper_arrived": _l("{name} can help with “{title}”."),
    "joined_group": _l("You are in the group “{group}”."),
    "left_group": _l("You left the group."),
    "member_joined": _l("{name} is in: {group}."),
    "new_message": _l("New message from {name}."),
    "message_sent": _l("Message sent."),
    "group_renamed": _l("Group renamed."),
    "handed_over": _l("{name} coordinates the group now."),
    # Moderation: a facilitator's Hide / Restore, hidden cards, the public summary. The
    # reason keys are "reason_" and "reason_count_" + the reason with "_" for spaces and
    # dashes (pages.REASON_LABELS and pages.REASON_COUNTS say the same on the server).
    "hide": _l("Hide"),
    "restore": _l("Restore"),
    "why_hide": _l("Why hide it?"),
    "hide_note": _l("Note for the moderation log"),
    "optional": _l("(optional)"),
    "hide_send": _l("Hide this post"),
    "hidden_label": _l("Hidden:"),
    "reason_spam": _l("Spam"),
    "reason_offensive": _l("Offensive"),
    "reason_off_topic": _l("Off-topic"),
    "reason_personal_information": _l("Personal information"),
    "reason_duplicate": _l("Duplicate"),
    "reason_count_spam": _l("{count} spam"),
    "reason_count_offensive": _l("{count} offensive"),
    "reason_count_off_topic": _l("{count} off-topic"),
    "reason_count_personal_information": _l("{count} personal information"),
    "reason_count_duplicate": _l("{count} duplicate"),
    "hidden_summary_one": _l("1 post hidden by facilitators: {reasons}"),
    "hidden_summary_other": _l("{count} posts hidden by facilitators: {reasons}"),
    "hidden_count_one": _l("1 post hidden by facilitators"),
    "hidden_count_other": _l("{count} posts hidden by facilitators"),
    "post_hidden": _l("Post hidden: only facilitators see it now."),
    "post_restored": _l("Post restored: everyone sees it again."),
    "hidden_elsewhere": _l("That post was hidden by a facilitator."),
    "hidden_by_other": _l("Another facilitator hid “{title}”."),
    "your_post_hidden": _l("A facilitator hid your post “{title}” ({reason})."),
    "restored_notice": _l("“{title}” is back on the board."),
    "link_withdrawn": _l("A facilitator has withdrawn your link to run this board."),
    "reload": _l("Reload the page"),
    # The connection
    "connecting": _l("Connecting to live updates…"),
    "connection_lost": _l("Connection lost — reconnecting…"),
    "waiting_one": _l("1 change will be sent when the connection is back."),
    "waiting_other": _l("{count} changes will be sent when the connection is back."),
    "back_online": _l("Back online"),
    "signed_out": _l("You are no longer signed in to this board."),
    "join_again": _l("Join the board again"),
    "live_unavailable": _l("Live updates have stopped. Reload the page."),
}


def js_strings() -> dict[str, str]:
    """The strings in the current locale."""
    return {key: str(value) for key, value in JS_STRINGS.items()}
