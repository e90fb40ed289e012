-- One promotion step: when the first user in line fits the free seats, they get a pending hold of
-- that many best-available seats, for the event's hold time. Strict join order: a head that does not
-- fit blocks the line, nobody behind it is served first. Heads that want more seats than are left to
-- sell (sales since they joined) leave the line first, as `sold_out`, up to 64 a step; a head whose
-- seats would take them past the per-user cap (they hold or bought more since they joined) leaves
-- it as `user_limit`.
-- KEYS: the event's keys (see lib.lua)
-- ARGV: reservation id for the new hold, the most seats a user may hold or buy (0: no cap)
-- Reply (JSON): {"promoted": reservation, "dropped": n} or {"dropped": n} or {}; "events": the domain
--   events emitted (reservation.created and waitlist.promoted on a promotion, waitlist.left on a drop)
local id, cap = ARGV[1], tonumber(ARGV[2])

local layout = load_layout()
if not layout then
  return reply({})
end
if redis.call('EXISTS', res_key(id)) == 1 then
  return reply({ promoted = reservation(id) }) -- the same step again: it happened already
end
local now = now_ms()
if ended(layout, now) then
  return reply({}) -- the event's retirement takes the waiters out of the line
end
local dropped = drop_unservable(now)
dropped = dropped > 0 and dropped or nil
local head, quantity = first_in_line()
release_due(layout, now, due_limit(quantity))
if not head then
  return reply({ dropped = dropped })
end
if over_cap(head, quantity, cap) then
  redis.call('ZREM', WAITLIST, head)
  redis.call('HSET', waiter_key(head), 'status', 'user_limit', 'left_at', int(now))
  redis.call('EXPIRE', waiter_key(head), int(ENDED_TTL_SECONDS))
  emit('waitlist.left', now, { userId = head, quantity = quantity, reason = 'user_limit' })
  return reply({ dropped = (dropped or 0) + 1 })
end
local available = free_seats()
local seats = pick_seats(layout, quantity, available)
if not seats then
  return reply({ dropped = dropped })
end
local r = hold_seats(layout, id, head, seats, available, now)
redis.call('ZREM', WAITLIST, head)
redis.call('HSET', waiter_key(head), 'status', 'promoted', 'reservation', id, 'promoted_at', now)
redis.call('EXPIRE', waiter_key(head), math.floor(layout.hold_ms / 1000) + 86400)
emit('waitlist.promoted', now, { userId = head, reservationId = id, seats = seats, quantity = quantity,
                                 expiresAt = r.expiresAt })
return reply({ promoted = r, dropped = dropped })
