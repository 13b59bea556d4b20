"""Assisted intake: turns an article or a partner's written account into candidate figures a
moderator accepts, corrects or drops before any draft report is stored."""
