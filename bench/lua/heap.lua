-- heap.lua: the timer queue, a binary min-heap of timers ordered by (due, seq):
-- the earliest due first, and timers due at the same instant in the order they were
-- made. A timer is a table; the heap only reads its `due` and `seq` fields.

local Heap = {}
Heap.__index = Heap

function Heap.new()
    return setmetatable({ n = 0 }, Heap)
end

-- The comparisons are written out in place: a function call per comparison would
-- cost a third of the time of the whole queue.
function Heap:push(timer)
    local n = self.n + 1
    self.n = n
    local due, seq = timer.due, timer.seq
    -- sift up
    while n > 1 do
        local parent = n // 2
        local above = self[parent]
        local above_due = above.due
        if above_due < due or (above_due == due and above.seq < seq) then break end
        self[n] = above
        n = parent
    end
    self[n] = timer
end

-- The earliest timer, or nil.
function Heap:peek()
    return self[1]
end

function Heap:pop()
    local n = self.n
    local top = self[1]
    if n == 0 then return nil end
    local last = self[n]
    self[n] = nil
    n = n - 1
    self.n = n
    if n == 0 then return top end
    -- sift down
    local due, seq = last.due, last.seq
    local i = 1
    while true do
        local child = 2 * i
        if child > n then break end
        local low = self[child]
        if child < n then
            local right = self[child + 1]
            if right.due < low.due or (right.due == low.due and right.seq < low.seq) then
                child, low = child + 1, right
            end
        end
        if low.due > due or (low.due == due and low.seq > seq) then break end
        self[i] = low
        i = child
    end
    self[i] = last
    return top
end

return Heap
